package jobspec

import (
	"sort"
	"strings"
)

// Telling a document's type from its member names (docs/decisions.md, "Telling the
// document type"): a type is told only when the document has every one of that type's
// identifiers (its required *_id members) and more than half of its required top-level
// members; of the types that qualify, the one whose required members it has the largest
// share of. A tie, or no type qualifying, is unknown: never a guess.

type signature struct {
	docType     string
	required    []string
	identifiers []string
}

var signatures = func() []signature {
	var found []signature
	for _, docType := range protocolIndex.documentOrder {
		text, err := Bundle(docType, false)
		if err != nil {
			panic(err)
		}
		var bundle struct {
			Ref  string `json:"$ref"`
			Defs map[string]struct {
				Required []string `json:"required"`
			} `json:"$defs"`
		}
		mustUnmarshal(text, &bundle)
		required := bundle.Defs[bundle.Ref[strings.LastIndexByte(bundle.Ref, '/')+1:]].Required
		s := signature{docType: docType, required: required}
		for _, name := range required {
			if strings.HasSuffix(name, "_id") {
				s.identifiers = append(s.identifiers, name)
			}
		}
		found = append(found, s)
	}
	return found
}()

// DetectType tells a decoded document's type from its member names; "" when it cannot be told.
func DetectType(document any) string {
	object, ok := document.(map[string]any)
	if !ok {
		return ""
	}
	best, bestFound, bestSize, tied := "", 0, 1, false
	for _, s := range signatures {
		qualifies := true
		for _, name := range s.identifiers {
			if _, ok := object[name]; !ok {
				qualifies = false
			}
		}
		found := 0
		for _, name := range s.required {
			if _, ok := object[name]; ok {
				found++
			}
		}
		if !qualifies || found < len(s.required)/2+1 {
			continue
		}
		// found / size against bestFound / bestSize, exactly.
		mine, theirs := found*bestSize, bestFound*len(s.required)
		if mine > theirs {
			best, bestFound, bestSize, tied = s.docType, found, len(s.required), false
		} else if mine == theirs {
			tied = true
		}
	}
	if tied {
		return ""
	}
	return best
}

func identifierNames() string {
	seen := map[string]bool{}
	var names []string
	for _, s := range signatures {
		for _, name := range s.identifiers {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// documentNames lists every document type's title: "job document, ..., or cancel request".
func documentNames() string {
	titles := make([]string, 0, len(protocolIndex.documentOrder))
	for _, docType := range protocolIndex.documentOrder {
		titles = append(titles, strings.ToLower(protocolIndex.Documents[docType].Title))
	}
	return strings.Join(titles[:len(titles)-1], ", ") + " or " + titles[len(titles)-1]
}
