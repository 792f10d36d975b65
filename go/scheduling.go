package jobspec

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Matching jobs to workers (specification, section 9), as the Python package's match_worker
// decides it: the same reasons, in the same order, with the same rule ids and pointers.

// gb is the bytes in a GB: every *_gb member of the protocol counts decimal gigabytes.
const gb = 1_000_000_000

var imageFormats = func() []any {
	var common struct {
		Defs map[string]struct {
			Enum []any `json:"enum"`
		} `json:"$defs"`
	}
	mustUnmarshal(mustRead("schemas/"+protocolIndex.Definitions["common"].File), &common)
	return common.Defs["ImageFormat"].Enum
}()

// MatchWorker gives every reason a worker registration cannot run a job; none when it can.
// Each is a decoded document (Decode) or the module's struct (a Job, a WorkerRegistration,
// or a pointer to one), assumed valid. Pointers refer to the job ("" for the worker as a
// whole: its state and its load). currentJobs, when not nil, is the count of jobs the worker
// runs as the scheduler knows it (placements since its last heartbeat included), in place of
// the registration's status.current_jobs. It panics on anything else, which would otherwise
// match as an empty document.
func MatchWorker(job, worker any, currentJobs *int) []Issue {
	jobObject, workerObject := asDocument(job, "job"), asDocument(worker, "worker")
	constraints, routing := section(jobObject, "constraints"), section(jobObject, "routing")
	capabilities, configuration := section(workerObject, "capabilities"), section(workerObject, "configuration")
	limits, status := section(workerObject, "resources"), section(workerObject, "status")
	operations, features := stringList(capabilities["operations"]), stringList(capabilities["features"])
	operation, _ := jobObject["operation"].(string)
	payload := section(jobObject, "payload")
	var issues []Issue
	issue := func(rule, pointer, message string) { issues = append(issues, Issue{rule, pointer, message}) }

	if !slices.Contains(operations, operation) {
		issue("scheduling.operation.unsupported", "/operation",
			fmt.Sprintf("the worker has no handler for '%s'; it runs %s", operation, orWord(quoted(operations), "nothing")))
	} else if payloadType, _ := payload["type"].(string); !slices.Contains(payloadTypesRead(capabilities, operations), payloadType) {
		var reads []string
		for _, name := range payloadTypesRead(capabilities, operations) {
			if strings.HasPrefix(name, operation+".v") {
				reads = append(reads, name)
			}
		}
		note := ""
		if capabilities["payload_types"] == nil {
			note = " (it lists no payload_types: it reads the v1 of each operation it runs)"
		}
		issue("scheduling.payload-type.unsupported", "/payload/type",
			fmt.Sprintf("the worker reads %s of '%s', not '%s'%s", orWord(quoted(reads), "no payload type"), operation, payloadType, note))
	}
	if lacking := missingNames(stringList(constraints["required_capabilities"]), slices.Concat(operations, features)); len(lacking) > 0 {
		issue("scheduling.capability.missing", "/constraints/required_capabilities",
			fmt.Sprintf("the worker lacks %s: %s", count(lacking, "required capability", "required capabilities"), quoted(lacking)))
	}
	if lacking := missingNames(stringList(constraints["required_features"]), features); len(lacking) > 0 {
		issue("scheduling.feature.missing", "/constraints/required_features",
			fmt.Sprintf("the worker lacks %s: %s", count(lacking, "required feature", "required features"), quoted(lacking)))
	}
	formats := stringList(capabilities["disk_formats"])
	found := images(payload, "/payload", nil)
	for _, image := range found {
		if format := image.value["format"].(string); !slices.Contains(formats, format) {
			issue("scheduling.disk-format.unsupported", image.pointer+"/format",
				fmt.Sprintf("the worker cannot open %s images; it opens %s", format, orWord(quoted(formats), "none")))
		}
	}
	pools := stringList(constraints["allowed_worker_pools"])
	pool, inPool := configuration["worker_pool"].(string)
	if len(pools) > 0 && (!inPool || !slices.Contains(pools, pool)) {
		where := "no pool"
		if inPool {
			where = fmt.Sprintf("pool '%s'", pool)
		}
		issue("scheduling.worker-pool.not-allowed", "/constraints/allowed_worker_pools",
			fmt.Sprintf("the worker is in %s; the job allows %s", where, quoted(pools)))
	}
	if truthy(constraints["require_privileged"]) && !truthy(configuration["privileged"]) {
		issue("scheduling.privileged.required", "/constraints/require_privileged", "the job requires a privileged worker; this one is not")
	}
	if minimum, _ := constraints["minimum_worker_version"].(string); minimum != "" {
		version, ok := workerObject["version"].(string)
		if !ok {
			version = "0.0.0"
		}
		if older, err := CompareVersions(version, minimum); err == nil && older < 0 {
			issue("scheduling.worker-version.too-old", "/constraints/minimum_worker_version",
				fmt.Sprintf("the worker runs version %s; the job needs %s or later", version, minimum))
		}
	}
	limit, size := limits["max_disk_size_gb"], constraints["maximum_disk_size_gb"]
	if size != nil && limit == nil {
		issue("scheduling.disk-size.too-large", "/constraints/maximum_disk_size_gb",
			fmt.Sprintf("the job may touch disks of %s GB; the worker states no max_disk_size_gb (it sends no resources), so nothing shows it accepts them", whole(size)))
	} else if size != nil && compareNumbers(size, limit, 1) > 0 {
		issue("scheduling.disk-size.too-large", "/constraints/maximum_disk_size_gb",
			fmt.Sprintf("the job may touch disks of %s GB; the worker accepts at most %s GB", whole(size), whole(limit)))
	}
	if limit != nil {
		for _, image := range found {
			if bytes := image.value["size_bytes"]; isNumber(bytes) && compareNumbers(bytes, limit, gb) > 0 {
				issue("scheduling.disk-size.too-large", image.pointer+"/size_bytes",
					fmt.Sprintf("the image is %s bytes; the worker accepts disks of at most %s GB (%s bytes)", whole(bytes), whole(limit), times(limit, gb)))
			}
		}
	}
	if pinned := routing["worker_id"]; pinned != nil && pinned != workerObject["worker_id"] {
		issue("scheduling.worker.pinned-elsewhere", "/routing/worker_id",
			fmt.Sprintf("the job is pinned to worker '%v', not '%v'", pinned, workerObject["worker_id"]))
	}
	if state := status["state"]; state == nil {
		issue("scheduling.worker.not-ready", "",
			"the worker sends no status, so its state is unknown: it takes new jobs only when its status says ready")
	} else if state != "ready" {
		issue("scheduling.worker.not-ready", "", fmt.Sprintf("the worker is %v: it takes new jobs only when ready", state))
	}
	running := status["current_jobs"]
	if currentJobs != nil {
		running = int64(*currentJobs)
	}
	if most := limits["max_concurrent_jobs"]; isNumber(running) && isNumber(most) && compareNumbers(running, most, 1) >= 0 {
		issue("scheduling.worker.at-capacity", "",
			fmt.Sprintf("the worker runs %s jobs and at most %s at once: it takes a new one when one ends", whole(running), whole(most)))
	}
	return issues
}

// stringList is the strings of a JSON array (null or absent: none).
func stringList(value any) []string {
	items, _ := value.([]any)
	found := make([]string, 0, len(items))
	for _, item := range items {
		if text, ok := item.(string); ok {
			found = append(found, text)
		}
	}
	return found
}

// payloadTypesRead is the payload types a worker reads: those it lists, or the v1 of each
// of its operations.
func payloadTypesRead(capabilities map[string]any, operations []string) []string {
	if listed, ok := capabilities["payload_types"].([]any); ok {
		return stringList(listed)
	}
	read := make([]string, len(operations))
	for i, operation := range operations {
		read[i] = operation + ".v1"
	}
	return read
}

// missingNames is the required names not offered, in the order required, each once.
func missingNames(required, offered []string) []string {
	var missing []string
	for _, name := range required {
		if !slices.Contains(offered, name) && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
	}
	return missing
}

type imageAt struct {
	pointer string
	value   map[string]any
}

// images finds every image reference (an object with a path and an image format) in a payload.
func images(value any, pointer string, found []imageAt) []imageAt {
	switch value := value.(type) {
	case map[string]any:
		if _, ok := value["path"].(string); ok && slices.Contains(imageFormats, value["format"]) {
			found = append(found, imageAt{pointer, value})
		}
		for _, key := range sortedKeys(value) {
			found = images(value[key], pointer+"/"+key, found)
		}
	case []any:
		for i, item := range value {
			found = images(item, pointer+"/"+strconv.Itoa(i), found)
		}
	}
	return found
}

func isNumber(value any) bool {
	switch value.(type) {
	case int64, float64:
		return true
	}
	return false
}

// compareNumbers compares a with b times factor, exactly for integers.
func compareNumbers(a, b any, factor int64) int {
	x, xInt := a.(int64)
	y, yInt := b.(int64)
	if xInt && yInt {
		return big.NewInt(x).Cmp(new(big.Int).Mul(big.NewInt(y), big.NewInt(factor)))
	}
	return cmp.Compare(toFloat(a), toFloat(b)*float64(factor))
}

func toFloat(value any) float64 {
	switch value := value.(type) {
	case int64:
		return float64(value)
	case float64:
		return value
	}
	return math.NaN()
}

// whole shows a number as JSON writes it: an integral float (5.0) as 5.
func whole(value any) string {
	if f, ok := value.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return strconv.FormatInt(int64(f), 10)
	}
	return show(value)
}

func times(value any, factor int64) string {
	if n, ok := value.(int64); ok {
		return new(big.Int).Mul(big.NewInt(n), big.NewInt(factor)).String()
	}
	return whole(toFloat(value) * float64(factor))
}

func truthy(value any) bool {
	switch value := value.(type) {
	case nil:
		return false
	case bool:
		return value
	case string:
		return value != ""
	case int64:
		return value != 0
	case float64:
		return value != 0
	}
	return true
}

func quoted(names []string) string {
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = "'" + name + "'"
	}
	return strings.Join(parts, ", ")
}

func orWord(text, word string) string {
	if text == "" {
		return word
	}
	return text
}

func count(items []string, one, many string) string {
	if len(items) == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", len(items), many)
}

var semver = regexp.MustCompile(`^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$`)

// CompareVersions is negative, zero or positive as semantic version a precedes, equals or
// follows b (Semantic Versioning 2.0.0 precedence, build metadata ignored).
func CompareVersions(a, b string) (int, error) {
	x, y := semver.FindStringSubmatch(a), semver.FindStringSubmatch(b)
	if x == nil || y == nil {
		bad := a
		if x != nil {
			bad = b
		}
		return 0, fmt.Errorf("not a semantic version: %q", bad)
	}
	for k := 1; k <= 3; k++ {
		if c := compareNumeric(x[k], y[k]); c != 0 {
			return c, nil
		}
	}
	switch {
	case x[4] == "" && y[4] == "":
		return 0, nil
	case x[4] == "":
		return 1, nil // a release follows its pre-releases
	case y[4] == "":
		return -1, nil
	}
	left, right := strings.Split(x[4], "."), strings.Split(y[4], ".")
	for k := 0; k < min(len(left), len(right)); k++ {
		p, q := left[k], right[k]
		pNumeric, qNumeric := isDigits(p), isDigits(q)
		switch {
		case pNumeric && qNumeric:
			if c := compareNumeric(p, q); c != 0 {
				return c, nil
			}
		case pNumeric != qNumeric:
			if pNumeric {
				return -1, nil // numeric identifiers come first
			}
			return 1, nil
		case p != q:
			return strings.Compare(p, q), nil
		}
	}
	return len(left) - len(right), nil
}

func isDigits(text string) bool {
	for _, r := range text {
		if r < '0' || r > '9' {
			return false
		}
	}
	return text != ""
}

func compareNumeric(a, b string) int {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return x.Cmp(y)
}

// asDocument is a decoded document as MatchWorker reads it: given one, or made from a struct.
func asDocument(value any, what string) map[string]any {
	switch value := value.(type) {
	case map[string]any:
		return value
	case Job, *Job, WorkerRegistration, *WorkerRegistration:
		data, err := json.Marshal(value)
		if err != nil {
			panic(fmt.Sprintf("MatchWorker: the %s does not encode: %v", what, err))
		}
		decoded, issues := Decode(data, Limits{})
		if object, ok := decoded.(map[string]any); ok && len(issues) == 0 {
			return object
		}
		panic(fmt.Sprintf("MatchWorker: the %s does not decode: %v", what, issues))
	default:
		panic(fmt.Sprintf("MatchWorker: the %s is a %T; give a decoded document (Decode) or the module's struct", what, value))
	}
}
