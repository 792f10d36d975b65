package jobspec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// The hand-written half of the typed documents (models_gen.go): Nullable, and how every
// generated struct keeps the members its schema does not declare.

// Nullable is a member the schema allows to be null: absent (the zero value), null, or a value.
type Nullable[T any] struct {
	value T
	state uint8 // 0 absent, 1 null, 2 a value
}

// Ptr is a pointer to v: what an optional member that is not nullable takes (a payload's
// `DryRun: jobspec.Ptr(true)`), where a nullable one takes a Nullable (Value, Null).
func Ptr[T any](v T) *T { return &v }

// Value is a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: 2} }

// Null is a Nullable holding null.
func Null[T any]() Nullable[T] { return Nullable[T]{state: 1} }

// Get returns the value and whether there is one (false when absent or null).
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == 2 }

// IsNull says whether the member is present and null.
func (n Nullable[T]) IsNull() bool { return n.state == 1 }

// IsZero says whether the member is absent: encoding/json's omitzero leaves it out.
func (n Nullable[T]) IsZero() bool { return n.state == 0 }

// MarshalJSON writes null or the value.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.state != 2 {
		return []byte("null"), nil
	}
	return json.Marshal(n.value)
}

// UnmarshalJSON reads null or a value (absent members are never read).
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*n = Null[T]()
		return nil
	}
	if err := json.Unmarshal(data, &n.value); err != nil {
		return err
	}
	n.state = 2
	return nil
}

// marshalWithExtra writes a struct's declared members, then its unknown ones (sorted by name).
func marshalWithExtra(declared any, extra map[string]json.RawMessage) ([]byte, error) {
	out, err := json.Marshal(declared)
	if err != nil || len(extra) == 0 {
		return out, err
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	slices.Sort(names)
	buf := bytes.NewBuffer(out[:len(out)-1]) // without its closing brace
	for _, name := range names {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(name)
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(extra[name])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// unmarshalWithExtra reads a struct's declared members and keeps the others in extra.
func unmarshalWithExtra(data []byte, declared any, extra *map[string]json.RawMessage, known []string) error {
	if err := json.Unmarshal(data, declared); err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	*extra = nil
	for name, value := range members {
		if !slices.Contains(known, name) {
			if *extra == nil {
				*extra = map[string]json.RawMessage{}
			}
			(*extra)[name] = value
		}
	}
	return nil
}

// typeData reads data's member "data" into the struct of the payload type when the type is
// registered, else keeps its bytes.
func (x *Payload) typeData(data []byte) error {
	var raw struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	build, registered := payloadData[x.Type]
	if !registered {
		x.Data = raw.Data
		return nil
	}
	typed := build()
	if err := json.Unmarshal(raw.Data, typed); err != nil {
		return fmt.Errorf("payload.data of %s: %w", x.Type, err)
	}
	x.Data = typed
	return nil
}

// NewDocument returns a new, empty struct of a document type: *Job for "job", *JobResult
// for "result", *ProgressEvent, *WorkerRegistration, *Lease, *CancelRequest.
func NewDocument(docType string) (any, error) {
	build, ok := documentStructs[docType]
	if !ok {
		return nil, fmt.Errorf("unknown document type %q", docType)
	}
	return build(), nil
}

// Parse validates data as Validate does and, when the document is valid, reads it into
// into (a pointer to the struct of the document type: *Job for a job...). Numbers are read
// from the strictly decoded document, so an integer written 5.0, which the protocol
// allows, reads as 5.
func Parse(data []byte, opts Options, into any) (Report, error) {
	report, err := Validate(data, opts)
	if err != nil || !report.Valid {
		return report, err
	}
	document, _ := decode(data, opts.Limits.orDefaults())
	normal, err := json.Marshal(document)
	if err != nil {
		return report, err
	}
	return report, json.Unmarshal(normal, into)
}
