/* guestkit_job_spec._prover: proves a document valid and clean in one compiled pass, or
 * lists what an invalid one fails.
 *
 * prove(report_type, type_index, data, max_bytes, max_depth, max_string, max_entries)
 * returns the clean report, report_type(doc_type, (), (), document), when `data` (bytes) is
 * a document of DOCUMENT_TYPES[type_index] that the strict decoder reads within the limits,
 * that its schema accepts with no unknown field, and on which the code-only rules listed
 * in CODE_RULES have nothing to say. When the bytes were read but are not clean, what
 * find() answers, from the same reading; False: they are not a JSON text within the
 * limits (the strict decoder says why). The document is built from the tape the proof
 * read: the same values as the strict decoder's (tape.h).
 * find(type_index, data, limits...) returns (document, findings, fired, integral): every
 * schema keyword the document fails (findings.h), when it fails none the ids of the
 * code-only rules with findings (else None), and whether a number written with a fraction
 * or an exponent has an integral value (5.0, 5e0: Python then looks for json.integer-form,
 * which needs the schema's place of each number); or None when the bytes are not a JSON
 * text within the limits (the strict decoder then says why). prove() never calls a
 * document with such a number clean. member_names(data, limits...) returns the
 * names of the root object's members (none when the root is not an object), or None
 * likewise: what telling a document's type from its fields needs.
 * The schema functions are generated from the closed bundles (codegen/c_prover.py).
 *
 * Safe to call from anywhere: every call reads into a tape of its own, so a call made
 * while another is building its document (a finalizer the garbage collector runs, or a
 * thread the collector hands the GIL to) cannot reach the first one's data. What the
 * module keeps between calls (a spare tape buffer, shared key strings, the strings it
 * reports with) lives in its per-interpreter state (multi-phase initialisation), and is
 * only touched under that interpreter's GIL with no Python code running in between.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "tape.h"
#include "checks.h"
#include "generated/schemas.h"
#include "lease_rules.h"

/* The code-only rules of a document type that have a finding, as bits in `ids` order. */
typedef unsigned (*CodeRules)(const Tape *);

typedef struct {
    const char *doc_type;
    CodeRules fired;
    const char *const *ids;
    size_t count;
} TypeRules;

static const TypeRules CODE_RULES[] = {
    {"job", job_rules_fired, JOB_RULE_IDS, sizeof JOB_RULE_IDS / sizeof *JOB_RULE_IDS},
    {"lease", lease_rules_fired, LEASE_RULE_IDS, sizeof LEASE_RULE_IDS / sizeof *LEASE_RULE_IDS},
};

static const TypeRules *rules_for(const char *doc_type) {
    for (size_t k = 0; k < sizeof CODE_RULES / sizeof *CODE_RULES; k++)
        if (strcmp(CODE_RULES[k].doc_type, doc_type) == 0) return &CODE_RULES[k];
    return NULL;
}

/* The code-only rules with a finding on a schema-valid document, as bits. */
static unsigned rules_fired(Py_ssize_t type_index, const Tape *t) {
    const TypeRules *rules = rules_for(DOCUMENT_TYPES[type_index]);
    return rules != NULL ? rules->fired(t) : 0;
}

#define KEY_SET_BITS 11
#define LONGEST_SHARED_KEY 64
#define SPARE_TAPE_NODES 4096 /* the tape buffer kept between calls: documents up to about 8 KB */

typedef struct {
    PyObject *document_types, *keyword_names, *no_issues;
    PyObject *field_doc_type, *field_errors, *field_warnings, *field_document;
    Node *spare_tape; /* room for SPARE_TAPE_NODES nodes and keys, when no call holds it; else NULL */
    /* Keys repeat from document to document: each short ASCII key is made once and then
     * shared, its hash computed once (a new string is hashed again by every dict it enters).
     * Each set of two slots keeps the last two keys whose bytes hashed to it. */
    PyObject *keys_by_set[1 << KEY_SET_BITS][2];
} State;

static State *state_of(PyObject *module) { return (State *)PyModule_GetState(module); }

/* ------------------------------------------------------------------ tapes */

/* Give t its first room: the spare buffer when it is free and the document small, else a
 * buffer of its own, of about a node per 16 bytes (it grows if the document needs more).
 * -1 with MemoryError set when there is no memory; 0 otherwise. */
static int take_tape(State *s, Tape *t) {
    size_t most = tape_capacity(t->size), capacity = most / 8 > SPARE_TAPE_NODES ? most / 8 : SPARE_TAPE_NODES;
    t->most = (uint32_t)most;
    if (capacity == SPARE_TAPE_NODES && s->spare_tape != NULL) {
        t->nodes = t->lent = s->spare_tape;
        s->spare_tape = NULL;
    } else if (capacity > SIZE_MAX / NODE_AND_KEY || (t->nodes = PyMem_Malloc(capacity * NODE_AND_KEY)) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->keys = (uint32_t *)(t->nodes + capacity);
    t->capacity = (uint32_t)capacity;
    return 0;
}

/* Free what t allocated, and give back what it borrowed: the spare buffer, or the first
 * small buffer when no spare is left (it serves the next call). */
static void release_tape(State *s, Tape *t) {
    Node *keep = t->lent != NULL ? t->lent : t->capacity == SPARE_TAPE_NODES ? t->nodes : NULL;
    if (keep != NULL && s->spare_tape == NULL) s->spare_tape = keep;
    else if (keep != NULL) PyMem_Free(keep);
    if (t->nodes != keep) PyMem_Free(t->nodes);
    PyMem_Free(t->decoded);
    PyMem_Free(t->seen);
}

/* ------------------------------------------------------------------ the document, built from the tape */

static PyObject *build(State *s, const Tape *t, uint32_t i);

static PyObject *build_string(const Tape *t, const Node *n) {
    const char *text = (const char *)string_bytes(t, n);
    if (!n->ascii) return PyUnicode_DecodeUTF8(text, n->len, NULL);
    PyObject *string = PyUnicode_New(n->len, 127); /* ASCII: copied, not decoded */
    if (string != NULL) memcpy(PyUnicode_DATA(string), text, n->len);
    return string;
}

static int is_key(PyObject *key, const unsigned char *text, uint32_t len) {
    return key != NULL && PyUnicode_GET_LENGTH(key) == len && memcmp(PyUnicode_DATA(key), text, len) == 0;
}

/* No Python code runs between reading a set and writing it (the strings are exact str,
 * made and freed without finalizers), so no other call can change it meanwhile. */
static PyObject *build_key(State *s, const Tape *t, const Node *n) {
    if (!n->ascii || n->len > LONGEST_SHARED_KEY) return build_string(t, n);
    const unsigned char *text = string_bytes(t, n);
    /* The set: a hash of the length and the first and last 8 bytes (a collision only costs a miss).
     * A short key is gathered in a register: bytes copied into a word on the stack and read back
     * whole stall the load. */
    uint64_t head = 0, tail;
    if (n->len >= 8) {
        memcpy(&head, text, 8);
        memcpy(&tail, text + n->len - 8, 8);
    } else {
        for (uint32_t k = 0; k < n->len; k++) head |= (uint64_t)text[k] << (8 * k);
        tail = head;
    }
    uint64_t hash = (head * 0x9E3779B97F4A7C15u) ^ (tail * 0xC2B2AE3D27D4EB4Fu) ^ n->len;
    hash = (hash ^ (hash >> 31)) * 0x94D049BB133111EBu;
    PyObject **set = s->keys_by_set[hash >> (64 - KEY_SET_BITS)];
    if (is_key(set[0], text, n->len)) return Py_NewRef(set[0]);
    if (is_key(set[1], text, n->len)) return Py_NewRef(set[1]);
    PyObject *key = build_string(t, n);
    if (key != NULL) { /* the newest first; the older of the two goes */
        Py_XSETREF(set[1], set[0]);
        set[0] = Py_NewRef(key);
    }
    return key;
}

static PyObject *build_container(State *s, const Tape *t, uint32_t i) {
    const Node *n = &t->nodes[i];
    PyObject *container = n->kind == K_ARRAY ? PyList_New(n->count) : PyDict_New();
    uint32_t at = i + 1;
    for (uint32_t m = 0; container != NULL && m < n->count; m++) {
        if (n->kind == K_ARRAY) {
            PyObject *item = build(s, t, at);
            if (item == NULL) Py_CLEAR(container);
            else PyList_SET_ITEM(container, m, item);
        } else {
            PyObject *key = build_key(s, t, &t->nodes[at]), *value = key ? build(s, t, at + 1) : NULL;
            if (value == NULL || PyDict_SetItem(container, key, value) < 0) Py_CLEAR(container);
            Py_XDECREF(key);
            Py_XDECREF(value);
            at++; /* the key */
        }
        at = t->nodes[at].next;
    }
    return container;
}

static PyObject *build(State *s, const Tape *t, uint32_t i) {
    const Node *n = &t->nodes[i];
    switch (n->kind) {
    case K_NULL: Py_RETURN_NONE;
    case K_TRUE: Py_RETURN_TRUE;
    case K_FALSE: Py_RETURN_FALSE;
    case K_INT: return PyLong_FromLongLong(n->integer);
    case K_FRACTION: return PyFloat_FromDouble(n->number);
    case K_STRING: return build_string(t, n);
    default: return build_container(s, t, i);
    }
}

/* ------------------------------------------------------------------ prove */

/* report_type(doc_type, errors=(), warnings=(), document=document), its fields set
 * directly: Report is a frozen dataclass, whose __init__ sets each field through
 * object.__setattr__, the slowest part of validating a small valid job. The instance is
 * made as object.__new__ makes it, which prove() checked report_type allows. */
static PyObject *clean_report(State *s, PyTypeObject *report_type, Py_ssize_t type_index, PyObject *document) {
    PyObject *report = PyBaseObject_Type.tp_new(report_type, s->no_issues, NULL);
    PyObject *fields = report != NULL ? PyObject_GenericGetDict(report, NULL) : NULL;
    if (fields == NULL ||
        PyDict_SetItem(fields, s->field_doc_type, PyTuple_GET_ITEM(s->document_types, type_index)) < 0 ||
        PyDict_SetItem(fields, s->field_errors, s->no_issues) < 0 ||
        PyDict_SetItem(fields, s->field_warnings, s->no_issues) < 0 ||
        PyDict_SetItem(fields, s->field_document, document) < 0)
        Py_CLEAR(report);
    Py_XDECREF(fields);
    return report;
}

static PyObject *find_tape(State *s, Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type);
static PyObject *find_answer(State *s, Py_ssize_t type_index, const Tape *t, const Findings *f, unsigned fired);

/* The clean report when the document is valid with nothing to report; else what find()
 * answers, from the same reading (a document with warnings or errors is not read twice). */
static PyObject *prove_tape(State *s, Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type) {
    if (!ROOTS[type_index](t, 0)) return find_tape(s, type_index, t, NULL);
    unsigned fired = rules_fired(type_index, t);
    if (fired != 0 || t->integral_fraction) /* the finder finds nothing */
        return find_answer(s, type_index, t, &(Findings){0}, fired);
    PyObject *document = build(s, t, 0), *report = document != NULL ? clean_report(s, report_type, type_index, document) : NULL;
    Py_XDECREF(document);
    return report;
}

/* ------------------------------------------------------------------ find */

/* The path from the root to node i, as keys and indexes; `up` and `position` give each
 * value's container and its place in it. */
static PyObject *path_of(const Tape *t, const uint32_t *up, const uint32_t *position, uint32_t i) {
    Py_ssize_t depth = 0;
    for (uint32_t at = i; at != 0; at = up[at]) depth++;
    PyObject *path = PyTuple_New(depth);
    for (uint32_t at = i; path != NULL && at != 0; at = up[at]) {
        PyObject *part = t->nodes[up[at]].kind == K_OBJECT ? build_string(t, &t->nodes[at - 1])
                                                            : PyLong_FromUnsignedLong(position[at]);
        if (part == NULL) Py_CLEAR(path);
        else PyTuple_SET_ITEM(path, --depth, part);
    }
    return path;
}

/* (schema, keyword, path, parent, branch, the member named or None), for each finding: the
 * member an additionalProperties or propertyNames finding is about. */
static PyObject *findings_list(State *s, const Tape *t, const Findings *f) {
    if (f->count == 0) return PyList_New(0);
    uint32_t *up = PyMem_Malloc(t->used * sizeof *up), *position = PyMem_Malloc(t->used * sizeof *position);
    PyObject *list = up && position ? PyList_New(f->count) : PyErr_NoMemory();
    if (list != NULL) {
        for (uint32_t c = 0; c < t->used; c++) {
            const Node *n = &t->nodes[c];
            if (n->kind != K_ARRAY && n->kind != K_OBJECT) continue;
            for (uint32_t m = 0, at = c + 1; m < n->count; m++) {
                uint32_t value = n->kind == K_OBJECT ? at + 1 : at;
                up[value] = c, position[value] = m;
                at = t->nodes[value].next;
            }
        }
    }
    for (uint32_t k = 0; list != NULL && k < f->count; k++) {
        const Finding *x = &f->items[k];
        PyObject *path = path_of(t, up, position, x->node);
        PyObject *key = x->keyword == KW_additionalProperties || x->keyword == KW_propertyNames
                            ? build_string(t, &t->nodes[x->key])
                            : Py_NewRef(Py_None);
        PyObject *schema = PyLong_FromUnsignedLong(x->schema), *parent = PyLong_FromLong(x->parent),
                 *branch = PyLong_FromUnsignedLong(x->branch);
        PyObject *item = path && key && schema && parent && branch
                             ? PyTuple_Pack(6, schema, PyTuple_GET_ITEM(s->keyword_names, x->keyword), path, parent,
                                            branch, key)
                             : NULL;
        Py_XDECREF(path);
        Py_XDECREF(key);
        Py_XDECREF(schema);
        Py_XDECREF(parent);
        Py_XDECREF(branch);
        if (item == NULL) Py_CLEAR(list);
        else PyList_SET_ITEM(list, k, item);
    }
    PyMem_Free(up);
    PyMem_Free(position);
    return list;
}

/* The ids of the code-only rules a schema-valid document has findings of. */
static PyObject *fired_ids(Py_ssize_t type_index, unsigned fired) {
    const TypeRules *rules = rules_for(DOCUMENT_TYPES[type_index]);
    PyObject *ids = PyList_New(0);
    for (size_t k = 0; ids != NULL && rules != NULL && k < rules->count; k++) {
        if (!(fired >> k & 1)) continue;
        PyObject *id = PyUnicode_FromString(rules->ids[k]);
        if (id == NULL || PyList_Append(ids, id) < 0) Py_CLEAR(ids);
        Py_XDECREF(id);
    }
    PyObject *tuple = ids != NULL ? PyList_AsTuple(ids) : NULL;
    Py_XDECREF(ids);
    return tuple;
}

/* (document, findings, fired, integral): every keyword the document fails, for Python to
 * word, when it fails none the ids of the code-only rules that have findings (else None:
 * the compiled rules assume a schema-valid document), and whether a number with a fraction
 * or an exponent has an integral value (json.integer-form may apply). */
static PyObject *find_tape(State *s, Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type) {
    (void)report_type;
    Findings f = {0};
    FINDERS[type_index](t, 0, &f, -1, 0);
    unsigned fired = f.count == 0 ? rules_fired(type_index, t) : 0; /* the compiled rules assume a schema-valid document */
    PyObject *answer = f.out_of_memory ? PyErr_NoMemory() : find_answer(s, type_index, t, &f, fired);
    free(f.items);
    return answer;
}

/* find()'s answer once the finder has found f (and, when f is empty, the rules that fired). */
static PyObject *find_answer(State *s, Py_ssize_t type_index, const Tape *t, const Findings *f, unsigned fired) {
    PyObject *document = build(s, t, 0), *list = document ? findings_list(s, t, f) : NULL;
    PyObject *ids = list == NULL ? NULL : f->count == 0 ? fired_ids(type_index, fired) : Py_NewRef(Py_None);
    PyObject *answer = ids != NULL ? PyTuple_Pack(4, document, list, ids, t->integral_fraction ? Py_True : Py_False) : NULL;
    Py_XDECREF(document);
    Py_XDECREF(list);
    Py_XDECREF(ids);
    return answer;
}

/* ------------------------------------------------------------------ member names */

/* The names of the root object's members (none when the root is not an object): enough
 * to tell a document's type, without building the document. */
static PyObject *names_tape(State *s, Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type) {
    (void)type_index, (void)report_type;
    const Node *root = &t->nodes[0];
    PyObject *names = PyTuple_New(root->kind == K_OBJECT ? root->count : 0);
    for (uint32_t m = 0, key = 1; names != NULL && root->kind == K_OBJECT && m < root->count; m++) {
        PyObject *name = build_key(s, t, &t->nodes[key]);
        if (name == NULL) Py_CLEAR(names);
        else PyTuple_SET_ITEM(names, m, name);
        key = t->nodes[key + 1].next;
    }
    return names;
}

/* ------------------------------------------------------------------ arguments, and the tape each call reads into */

/* What prove and find do with a document the tape reader accepted. */
typedef PyObject *(*OnTape)(State *s, Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type);

/* on_tape's answer once the bytes are read into a tape of this call's own; `refused`
 * when the reader refuses them, NULL with an exception when out of memory. */
static PyObject *with_tape(State *s, Py_ssize_t type_index, const unsigned char *text, size_t size, Limits limits,
                           OnTape on_tape, PyTypeObject *report_type, PyObject *refused) {
    if (size > limits.max_bytes || size > MAX_TAPE_BYTES) return Py_NewRef(refused);
    Tape t = {.text = text, .size = size, .limits = limits};
    if (take_tape(s, &t) < 0) return NULL;
    int status = read_document(&t);
    PyObject *answer = status == 0 ? on_tape(s, type_index, &t, report_type)
                       : status == REFUSE ? Py_NewRef(refused)
                                          : NULL;
    release_tape(s, &t);
    return answer;
}

/* The arguments every entry point ends with: data, max_bytes, max_depth, max_string,
 * max_entries. Each is checked as soon as it is read, so no call runs with an exception
 * pending. -1 with an exception set when one is wrong. */
static int data_and_limits(PyObject *const *args, const char *usage, PyObject **data, Limits *limits) {
    if (!PyBytes_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, usage);
        return -1;
    }
    *data = args[0];
    size_t *fields[] = {&limits->max_bytes, &limits->max_depth, &limits->max_string, &limits->max_entries};
    for (int k = 0; k < 4; k++) {
        *fields[k] = PyLong_AsSize_t(args[1 + k]);
        if (*fields[k] == (size_t)-1 && PyErr_Occurred()) return -1;
    }
    if (limits->max_depth > MAX_DEPTH_LIMIT) {
        PyErr_Format(PyExc_ValueError, "max_depth can be at most %d (the strict decoder's own limit)", MAX_DEPTH_LIMIT);
        return -1;
    }
    return 0;
}

/* A document type's index; -1 with an exception set when it names none. */
static Py_ssize_t type_index_of(PyObject *arg) {
    Py_ssize_t index = PyLong_AsSsize_t(arg);
    if (index == -1 && PyErr_Occurred()) return -1;
    if (index < 0 || (size_t)index >= sizeof DOCUMENT_TYPES / sizeof *DOCUMENT_TYPES) {
        PyErr_SetString(PyExc_IndexError, "no document type has this index");
        return -1;
    }
    return index;
}

static PyObject *read_with(State *s, Py_ssize_t type_index, PyObject *data, Limits limits, OnTape on_tape,
                           PyTypeObject *report_type, PyObject *refused) {
    const unsigned char *text = (const unsigned char *)PyBytes_AS_STRING(data);
    return with_tape(s, type_index, text, (size_t)PyBytes_GET_SIZE(data), limits, on_tape, report_type, refused);
}

#define PROVE_USAGE                                                                                    \
    "prove(report_type, type_index, data, max_bytes, max_depth, max_string, max_entries) -> "        \
    "report_type(doc_type, (), (), document); (document, findings, fired, integral) as find() answers when " \
    "not clean; " \
    "False: not JSON within the limits"
#define FIND_USAGE                                                                                        \
    "find(type_index, data, max_bytes, max_depth, max_string, max_entries) -> (document, findings, fired, " \
    "integral), " \
    "or None"
#define MEMBER_NAMES_USAGE \
    "member_names(data, max_bytes, max_depth, max_string, max_entries) -> the root object's member names, or None"

static PyObject *prove(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    /* The report is made as object.__new__ makes instances: only a class whose own
     * __new__ is object's may be given (a frozen dataclass such as Report is). */
    if (nargs != 7 || !PyType_Check(args[0]) || ((PyTypeObject *)args[0])->tp_new != PyBaseObject_Type.tp_new) {
        PyErr_SetString(PyExc_TypeError, PROVE_USAGE "; report_type must be a class whose __new__ is object's");
        return NULL;
    }
    Py_ssize_t type_index = type_index_of(args[1]);
    PyObject *data;
    Limits limits;
    if (type_index < 0 || data_and_limits(args + 2, PROVE_USAGE, &data, &limits) < 0) return NULL;
    return read_with(state_of(module), type_index, data, limits, prove_tape, (PyTypeObject *)args[0], Py_False);
}

static PyObject *find(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, FIND_USAGE);
        return NULL;
    }
    Py_ssize_t type_index = type_index_of(args[0]);
    PyObject *data;
    Limits limits;
    if (type_index < 0 || data_and_limits(args + 1, FIND_USAGE, &data, &limits) < 0) return NULL;
    return read_with(state_of(module), type_index, data, limits, find_tape, NULL, Py_None);
}

static PyObject *member_names(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *data;
    Limits limits;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, MEMBER_NAMES_USAGE);
        return NULL;
    }
    if (data_and_limits(args, MEMBER_NAMES_USAGE, &data, &limits) < 0) return NULL;
    return read_with(state_of(module), 0, data, limits, names_tape, NULL, Py_None);
}

static PyMethodDef METHODS[] = {
    {"prove", (PyCFunction)(void (*)(void))prove, METH_FASTCALL, PROVE_USAGE},
    {"find", (PyCFunction)(void (*)(void))find, METH_FASTCALL, FIND_USAGE},
    {"member_names", (PyCFunction)(void (*)(void))member_names, METH_FASTCALL, MEMBER_NAMES_USAGE},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ the module */

static PyObject *tuple_of_strings(const char *const *texts, size_t count) {
    PyObject *tuple = PyTuple_New((Py_ssize_t)count);
    for (size_t k = 0; tuple != NULL && k < count; k++) {
        PyObject *text = PyUnicode_FromString(texts[k]);
        if (text == NULL) Py_CLEAR(tuple);
        else PyTuple_SET_ITEM(tuple, (Py_ssize_t)k, text);
    }
    return tuple;
}

#define TUPLE_OF_STRINGS(array) tuple_of_strings(array, sizeof array / sizeof *array)

/* A module attribute; -1 with an exception when value is NULL or cannot be added. */
static int add_attribute(PyObject *module, const char *name, PyObject *value) {
    int failed = value == NULL || PyModule_AddObjectRef(module, name, value) < 0;
    Py_XDECREF(value);
    return failed ? -1 : 0;
}

static int exec_module(PyObject *module) {
    State *s = state_of(module);
    s->document_types = TUPLE_OF_STRINGS(DOCUMENT_TYPES);
    s->keyword_names = TUPLE_OF_STRINGS(KEYWORDS);
    s->no_issues = PyTuple_New(0);
    s->field_doc_type = PyUnicode_InternFromString("doc_type");
    s->field_errors = PyUnicode_InternFromString("errors");
    s->field_warnings = PyUnicode_InternFromString("warnings");
    s->field_document = PyUnicode_InternFromString("document");
    if (s->document_types == NULL || s->keyword_names == NULL || s->no_issues == NULL || s->field_doc_type == NULL ||
        s->field_errors == NULL || s->field_warnings == NULL || s->field_document == NULL)
        return -1;
    PyObject *rules = PyDict_New();
    for (size_t k = 0; rules != NULL && k < sizeof CODE_RULES / sizeof *CODE_RULES; k++) {
        PyObject *ids = tuple_of_strings(CODE_RULES[k].ids, CODE_RULES[k].count);
        if (ids == NULL || PyDict_SetItemString(rules, CODE_RULES[k].doc_type, ids) < 0) Py_CLEAR(rules);
        Py_XDECREF(ids);
    }
    if (add_attribute(module, "CODE_RULES", rules) < 0 ||
        add_attribute(module, "DOCUMENT_TYPES", Py_NewRef(s->document_types)) < 0 ||
        add_attribute(module, "SCHEMAS", TUPLE_OF_STRINGS(SCHEMAS)) < 0 ||
        add_attribute(module, "MAX_DEPTH", PyLong_FromLong(MAX_DEPTH_LIMIT)) < 0 ||
        add_attribute(module, "SCHEMAS_DIGEST", PyUnicode_FromString(SCHEMAS_DIGEST)) < 0)
        return -1;
    return 0;
}

static int traverse_module(PyObject *module, visitproc visit, void *arg) {
    State *s = state_of(module);
    if (s == NULL) return 0;
    Py_VISIT(s->document_types);
    Py_VISIT(s->keyword_names);
    Py_VISIT(s->no_issues);
    return 0;
}

static int clear_module(PyObject *module) {
    State *s = state_of(module);
    if (s == NULL) return 0;
    Py_CLEAR(s->document_types);
    Py_CLEAR(s->keyword_names);
    Py_CLEAR(s->no_issues);
    Py_CLEAR(s->field_doc_type);
    Py_CLEAR(s->field_errors);
    Py_CLEAR(s->field_warnings);
    Py_CLEAR(s->field_document);
    for (size_t k = 0; k < sizeof s->keys_by_set / sizeof *s->keys_by_set; k++) {
        Py_CLEAR(s->keys_by_set[k][0]);
        Py_CLEAR(s->keys_by_set[k][1]);
    }
    PyMem_Free(s->spare_tape);
    s->spare_tape = NULL;
    return 0;
}

static void free_module(void *module) { clear_module((PyObject *)module); }

static PyModuleDef_Slot SLOTS[] = {
    {Py_mod_exec, exec_module},
#ifdef Py_mod_multiple_interpreters
    /* Nothing is shared between interpreters: all state is the module's own. */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_mod_gil
    /* The state is only touched under the GIL (see the top of this file): a free-threaded
     * interpreter keeps its GIL on while this module is loaded. */
    {Py_mod_gil, Py_MOD_GIL_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_prover",
    .m_doc = "The prover: C generated from the closed bundles (see prover/module.c).",
    .m_size = sizeof(State),
    .m_methods = METHODS,
    .m_slots = SLOTS,
    .m_traverse = traverse_module,
    .m_clear = clear_module,
    .m_free = free_module,
};

PyMODINIT_FUNC PyInit__prover(void) { return PyModuleDef_Init(&MODULE); }
