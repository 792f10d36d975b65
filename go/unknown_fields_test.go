package jobspec

import "testing"

// The suggestion is Python's difflib.get_close_matches(name, declared, n=1, cutoff=0.75):
// case counts (the npm package, by edit distance on lower case, suggests 'name' for 'NAME').
func TestClosestFieldIsDifflibs(t *testing.T) {
	declared := []string{"name", "namespace", "labels", "annotations"}
	for unknown, expected := range map[string]string{
		"nmae": "name", "NAME": "", "lables": "labels", "namespaces": "namespace", "annotation": "annotations", "xyz": "",
	} {
		if found := closestField(unknown, declared); found != expected {
			t.Errorf("closestField(%q) = %q, expected %q", unknown, found, expected)
		}
	}
}
