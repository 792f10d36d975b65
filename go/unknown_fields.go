package jobspec

import "fmt"

// unknownFieldMessage words an unknown member of an object whose schema declares
// `properties`, suggesting the declared name it is likely a typo of.
func unknownFieldMessage(name string, object map[string]any) string {
	declared, _ := object["properties"].(map[string]any)
	names := make([]string, 0, len(declared))
	for field := range declared {
		names = append(names, field)
	}
	suggestion := ""
	if close := closestField(name, names); close != "" {
		suggestion = fmt.Sprintf("did you mean '%s'? ", close)
	}
	return fmt.Sprintf("unknown field '%s': %sit is kept but not checked; name extension fields with a domain prefix such as 'example.com/%s'",
		name, suggestion, name)
}

// closestField is the declared field most like an unknown one, if one is alike enough to
// be a typo: Python's difflib.get_close_matches(unknown, declared, n=1, cutoff=0.75), which
// the Python package asks, so that both suggest the same name.
func closestField(unknown string, declared []string) string {
	best, bestScore := "", 0.0
	key := []rune(unknown)
	for _, name := range declared {
		score := similarity([]rune(name), key)
		// Ties go to the greater name, as heapq.nlargest over (score, name) gives.
		if score >= 0.75 && (score > bestScore || score == bestScore && name > best) {
			best, bestScore = name, score
		}
	}
	return best
}

// similarity is difflib.SequenceMatcher(None, a, b).ratio(): twice the characters of the
// matching blocks over the characters of both (no junk: the names are far below the 200
// characters where difflib's autojunk starts).
func similarity(a, b []rune) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	positions := map[rune][]int{}
	for j, r := range b {
		positions[r] = append(positions[r], j)
	}
	matched := 0
	queue := [][4]int{{0, len(a), 0, len(b)}}
	for len(queue) > 0 {
		span := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		alo, ahi, blo, bhi := span[0], span[1], span[2], span[3]
		i, j, k := longestMatch(a, positions, alo, ahi, blo, bhi)
		if k == 0 {
			continue
		}
		matched += k
		if alo < i && blo < j {
			queue = append(queue, [4]int{alo, i, blo, j})
		}
		if i+k < ahi && j+k < bhi {
			queue = append(queue, [4]int{i + k, ahi, j + k, bhi})
		}
	}
	return 2.0 * float64(matched) / float64(len(a)+len(b))
}

// longestMatch is SequenceMatcher.find_longest_match: the longest common block of
// a[alo:ahi] and b[blo:bhi], the earliest in a, then in b, of the longest.
func longestMatch(a []rune, positions map[rune][]int, alo, ahi, blo, bhi int) (int, int, int) {
	besti, bestj, bestsize := alo, blo, 0
	lengths := map[int]int{}
	for i := alo; i < ahi; i++ {
		next := map[int]int{}
		for _, j := range positions[a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := lengths[j-1] + 1
			next[j] = k
			if k > bestsize {
				besti, bestj, bestsize = i-k+1, j-k+1, k
			}
		}
		lengths = next
	}
	return besti, bestj, bestsize
}
