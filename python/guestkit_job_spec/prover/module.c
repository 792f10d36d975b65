/* guestkit_job_spec._prover: proves a document valid and clean in one compiled pass, or
 * lists what an invalid one fails.
 *
 * prove(report_type, type_index, data, max_bytes, max_depth, max_string, max_entries)
 * returns the clean report, report_type(doc_type, (), (), document), when `data` (bytes) is
 * a document of DOCUMENT_TYPES[type_index] that the strict decoder reads within the limits,
 * that its schema accepts with no unknown field, and on which the code-only rules listed
 * in CODE_RULES have nothing to say; None means "not proven": the document may still be
 * valid, and the other engines then decide and explain. The document is built from the
 * tape the proof read: the same values as the strict decoder's (the tape accepts nothing
 * the two could read differently).
 * explain(type_index, data, limits...) returns (document, findings): every schema keyword
 * the document fails (findings.h), or None when the tape reader declines the bytes.
 * The schema functions are generated from the closed bundles (codegen/c_prover.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "tape.h"
#include "checks.h"
#include "schemas.h"
#include "job_rules.h"

typedef int (*CodeRules)(const Tape *);

static const struct {
    const char *doc_type;
    CodeRules silent;
    const char *const *ids;
    size_t count;
} CODE_RULES[] = {
    {"job", job_rules_silent, JOB_RULE_IDS, sizeof JOB_RULE_IDS / sizeof *JOB_RULE_IDS},
};

static CodeRules rules_for(const char *doc_type) {
    for (size_t k = 0; k < sizeof CODE_RULES / sizeof *CODE_RULES; k++)
        if (strcmp(CODE_RULES[k].doc_type, doc_type) == 0) return CODE_RULES[k].silent;
    return NULL;
}

/* Tapes of small documents reuse one buffer (the GIL is held throughout a call). */
#define SHARED_NODES 4096
static Node shared_nodes[SHARED_NODES];
static uint32_t shared_keys[SHARED_NODES];

static PyObject *build(const Tape *t, uint32_t i);

static PyObject *build_string(const Tape *t, const Node *n) {
    const char *text = (const char *)t->text + n->start;
    if (!n->ascii) return PyUnicode_DecodeUTF8(text, n->len, NULL);
    PyObject *string = PyUnicode_New(n->len, 127); /* ASCII: copied, not decoded */
    if (string != NULL) memcpy(PyUnicode_DATA(string), text, n->len);
    return string;
}

/* Keys repeat from document to document: each short ASCII key is made once and then
 * shared, its hash computed once (a new string is hashed again by every dict it enters).
 * Each set of two slots keeps the last two keys whose bytes hashed to it. */
#define KEY_SET_BITS 11
#define LONGEST_SHARED_KEY 64
static PyObject *shared_keys_by_set[1 << KEY_SET_BITS][2];

static int is_key(PyObject *key, const unsigned char *text, uint32_t len) {
    return key != NULL && PyUnicode_GET_LENGTH(key) == len && memcmp(PyUnicode_DATA(key), text, len) == 0;
}

static PyObject *build_key(const Tape *t, const Node *n) {
    if (!n->ascii || n->len > LONGEST_SHARED_KEY) return build_string(t, n);
    const unsigned char *text = t->text + n->start;
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
    PyObject **set = shared_keys_by_set[hash >> (64 - KEY_SET_BITS)];
    if (is_key(set[0], text, n->len)) return Py_NewRef(set[0]);
    if (is_key(set[1], text, n->len)) return Py_NewRef(set[1]);
    PyObject *key = build_string(t, n);
    if (key != NULL) { /* the newest first; the older of the two goes */
        Py_XSETREF(set[1], set[0]);
        set[0] = Py_NewRef(key);
    }
    return key;
}

static PyObject *build_container(const Tape *t, uint32_t i) {
    const Node *n = &t->nodes[i];
    PyObject *container = n->kind == K_ARRAY ? PyList_New(n->count) : PyDict_New();
    uint32_t at = i + 1;
    for (uint32_t m = 0; container != NULL && m < n->count; m++) {
        if (n->kind == K_ARRAY) {
            PyObject *item = build(t, at);
            if (item == NULL) Py_CLEAR(container);
            else PyList_SET_ITEM(container, m, item);
        } else {
            PyObject *key = build_key(t, &t->nodes[at]), *value = key ? build(t, at + 1) : NULL;
            if (value == NULL || PyDict_SetItem(container, key, value) < 0) Py_CLEAR(container);
            Py_XDECREF(key);
            Py_XDECREF(value);
            at++; /* the key */
        }
        at = t->nodes[at].next;
    }
    return container;
}

static PyObject *build(const Tape *t, uint32_t i) {
    const Node *n = &t->nodes[i];
    switch (n->kind) {
    case K_NULL: Py_RETURN_NONE;
    case K_TRUE: Py_RETURN_TRUE;
    case K_FALSE: Py_RETURN_FALSE;
    case K_INT: return PyLong_FromLongLong(n->integer);
    case K_FRACTION: return PyFloat_FromDouble(n->number);
    case K_STRING: return build_string(t, n);
    default: return build_container(t, i);
    }
}

/* What prove and explain do with a document the tape reader accepted. */
typedef PyObject *(*OnTape)(Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type);

/* on_tape's answer once the bytes are read into a tape; None when the reader refuses them,
 * NULL with an exception when out of memory. */
static PyObject *with_tape(Py_ssize_t type_index, const unsigned char *text, size_t size, Limits limits,
                           OnTape on_tape, PyTypeObject *report_type) {
    size_t capacity = size / 2 + 2; /* every value but the last takes two bytes at least */
    if (size > limits.max_bytes || capacity > UINT32_MAX) Py_RETURN_NONE;
    Tape t = {.text = text, .size = size, .limits = limits};
    if (capacity <= SHARED_NODES) {
        t.nodes = shared_nodes, t.keys = shared_keys, t.capacity = SHARED_NODES;
    } else {
        t.nodes = PyMem_Malloc(capacity * sizeof *t.nodes);
        t.keys = PyMem_Malloc(capacity * sizeof *t.keys);
        t.capacity = (uint32_t)capacity;
        if (t.nodes == NULL || t.keys == NULL) {
            PyMem_Free(t.nodes);
            PyMem_Free(t.keys);
            return PyErr_NoMemory();
        }
    }
    PyObject *answer = read_document(&t) == 0 ? on_tape(type_index, &t, report_type) : Py_NewRef(Py_None);
    if (t.nodes != shared_nodes) {
        PyMem_Free(t.nodes);
        PyMem_Free(t.keys);
    }
    return answer;
}

/* Python objects made once, at import: KEYWORDS and DOCUMENT_TYPES as strings, Report's field names. */
static PyObject *keyword_names, *document_types, *field_doc_type, *field_errors, *field_warnings, *field_document;

/* report_type(doc_type, errors=(), warnings=(), document=document), its fields set
 * directly: Report is a frozen dataclass, whose __init__ sets each field through
 * object.__setattr__, the slowest part of validating a small valid job. */
static PyObject *clean_report(PyTypeObject *report_type, Py_ssize_t type_index, PyObject *document) {
    PyObject *report = report_type->tp_alloc(report_type, 0);
    PyObject *fields = report != NULL ? PyObject_GenericGetDict(report, NULL) : NULL, *none = PyTuple_New(0);
    if (fields == NULL || none == NULL ||
        PyDict_SetItem(fields, field_doc_type, PyTuple_GET_ITEM(document_types, type_index)) < 0 ||
        PyDict_SetItem(fields, field_errors, none) < 0 || PyDict_SetItem(fields, field_warnings, none) < 0 ||
        PyDict_SetItem(fields, field_document, document) < 0)
        Py_CLEAR(report);
    Py_XDECREF(fields);
    Py_XDECREF(none);
    return report;
}

/* The clean report when the document is valid with nothing to report; else None. */
static PyObject *prove_tape(Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type) {
    if (!ROOTS[type_index](t, 0)) Py_RETURN_NONE;
    CodeRules silent = rules_for(DOCUMENT_TYPES[type_index]);
    if (silent != NULL && silent(t) != 1) Py_RETURN_NONE;
    PyObject *document = build(t, 0), *report = document != NULL ? clean_report(report_type, type_index, document) : NULL;
    Py_XDECREF(document);
    return report;
}

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

/* (schema, keyword, path, parent, branch, unexpected key or None), for each finding. */
static PyObject *findings_list(const Tape *t, const Findings *f) {
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
        PyObject *key = x->keyword == KW_additionalProperties ? build_string(t, &t->nodes[x->key]) : Py_NewRef(Py_None);
        PyObject *schema = PyLong_FromUnsignedLong(x->schema), *parent = PyLong_FromLong(x->parent),
                 *branch = PyLong_FromUnsignedLong(x->branch);
        PyObject *item = path && key && schema && parent && branch
                             ? PyTuple_Pack(6, schema, PyTuple_GET_ITEM(keyword_names, x->keyword), path, parent, branch, key)
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

/* (document, findings): every keyword the document fails, for Python to word. */
static PyObject *explain_tape(Py_ssize_t type_index, const Tape *t, PyTypeObject *report_type) {
    (void)report_type;
    Findings f = {0};
    EXPLAINERS[type_index](t, 0, &f, -1, 0);
    PyObject *answer = NULL;
    if (f.out_of_memory) PyErr_NoMemory();
    else {
        PyObject *document = build(t, 0), *list = document ? findings_list(t, &f) : NULL;
        if (list != NULL) answer = PyTuple_Pack(2, document, list);
        Py_XDECREF(document);
        Py_XDECREF(list);
    }
    free(f.items);
    return answer;
}

/* The arguments of prove and explain: (type_index, data, max_bytes, max_depth, max_string, max_entries). */
static PyObject *on_arguments(PyObject *const *args, Py_ssize_t nargs, const char *usage, OnTape on_tape,
                              PyTypeObject *report_type) {
    if (nargs != 6 || !PyBytes_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    Py_ssize_t type_index = PyLong_AsSsize_t(args[0]);
    Limits limits;
    size_t *fields[] = {&limits.max_bytes, &limits.max_depth, &limits.max_string, &limits.max_entries};
    for (int k = 0; k < 4; k++) {
        *fields[k] = PyLong_AsSize_t(args[2 + k]);
        if (*fields[k] == (size_t)-1 && PyErr_Occurred()) return NULL;
    }
    if (type_index == -1 && PyErr_Occurred()) return NULL;
    if (type_index < 0 || (size_t)type_index >= sizeof DOCUMENT_TYPES / sizeof *DOCUMENT_TYPES) {
        PyErr_SetString(PyExc_IndexError, "no document type has this index");
        return NULL;
    }
    const unsigned char *text = (const unsigned char *)PyBytes_AS_STRING(args[1]);
    return with_tape(type_index, text, (size_t)PyBytes_GET_SIZE(args[1]), limits, on_tape, report_type);
}

#define PROVE_USAGE                                                                                    \
    "prove(report_type, type_index, data, max_bytes, max_depth, max_string, max_entries) -> "        \
    "report_type(doc_type, (), (), document), or None"
#define EXPLAIN_USAGE \
    "explain(type_index, data, max_bytes, max_depth, max_string, max_entries) -> (document, findings), or None"

static PyObject *prove(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs < 1 || !PyType_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, PROVE_USAGE);
        return NULL;
    }
    return on_arguments(args + 1, nargs - 1, PROVE_USAGE, prove_tape, (PyTypeObject *)args[0]);
}

static PyObject *explain(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    return on_arguments(args, nargs, EXPLAIN_USAGE, explain_tape, NULL);
}

static PyMethodDef METHODS[] = {
    {"prove", (PyCFunction)(void (*)(void))prove, METH_FASTCALL, PROVE_USAGE},
    {"explain", (PyCFunction)(void (*)(void))explain, METH_FASTCALL, EXPLAIN_USAGE},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_prover", NULL, -1, METHODS};

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

PyMODINIT_FUNC PyInit__prover(void) {
    PyObject *module = PyModule_Create(&MODULE), *rules = PyDict_New(), *schemas = TUPLE_OF_STRINGS(SCHEMAS);
    document_types = TUPLE_OF_STRINGS(DOCUMENT_TYPES);
    keyword_names = TUPLE_OF_STRINGS(KEYWORDS);
    field_doc_type = PyUnicode_InternFromString("doc_type");
    field_errors = PyUnicode_InternFromString("errors");
    field_warnings = PyUnicode_InternFromString("warnings");
    field_document = PyUnicode_InternFromString("document");
    int failed = module == NULL || rules == NULL || schemas == NULL || document_types == NULL || keyword_names == NULL ||
                 field_doc_type == NULL || field_errors == NULL || field_warnings == NULL || field_document == NULL;
    for (size_t k = 0; !failed && k < sizeof CODE_RULES / sizeof *CODE_RULES; k++) {
        PyObject *ids = tuple_of_strings(CODE_RULES[k].ids, CODE_RULES[k].count);
        failed = ids == NULL || PyDict_SetItemString(rules, CODE_RULES[k].doc_type, ids) < 0;
        Py_XDECREF(ids);
    }
    failed = failed || PyModule_AddObjectRef(module, "DOCUMENT_TYPES", document_types) < 0 ||
             PyModule_AddObjectRef(module, "CODE_RULES", rules) < 0 ||
             PyModule_AddObjectRef(module, "SCHEMAS", schemas) < 0;
    Py_XDECREF(rules);
    Py_XDECREF(schemas);
    if (failed) Py_CLEAR(module);
    return module;
}
