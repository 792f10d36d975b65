// The Go side of make bench (bench/run.py): Validate on the bytes of one document, the
// best of several rounds. Prints {"go": microseconds per document} as JSON.
//
//	go run ./internal/bench FILE ITERATIONS ROUNDS
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	jobspec "github.com/guestkit/guestkit-job-spec/go"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: bench FILE ITERATIONS ROUNDS")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	iterations, err1 := strconv.Atoi(os.Args[2])
	rounds, err2 := strconv.Atoi(os.Args[3])
	if err != nil || err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, err, err1, err2)
		os.Exit(2)
	}
	if _, err := jobspec.Validate(data, jobspec.Options{}); err != nil { // compiles the schema outside the timing
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	best := math.Inf(1)
	for range rounds {
		started := time.Now()
		for range iterations {
			if _, err := jobspec.Validate(data, jobspec.Options{}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		best = min(best, float64(time.Since(started).Microseconds())/float64(iterations))
	}
	out, _ := json.Marshal(map[string]float64{"go": best})
	fmt.Println(string(out))
}
