/* guestkit_job_spec._prover: proves a document valid and clean in one compiled pass.
 *
 * prove(type_index, data, max_bytes, max_depth, max_string, max_entries) returns the
 * decoded document when `data` (bytes) is a document of DOCUMENT_TYPES[type_index] that
 * the strict decoder reads within the limits, that its schema accepts with no unknown
 * field, and on which the code-only rules listed in CODE_RULES have nothing to say; None
 * means "not proven": the document may still be valid, and the other engines then decide
 * and explain. The document is built from the tape the proof read: the same values as
 * the strict decoder's (the tape accepts nothing the two could read differently).
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
            PyObject *key = build_string(t, &t->nodes[at]), *value = key ? build(t, at + 1) : NULL;
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

/* Tapes of small documents reuse one buffer (the GIL is held throughout a call). */
#define SHARED_NODES 4096
static Node shared_nodes[SHARED_NODES];
static uint32_t shared_keys[SHARED_NODES];

/* The document, None when not proven, NULL with an exception when out of memory. */
static PyObject *proven(Py_ssize_t type_index, const unsigned char *text, size_t size, Limits limits) {
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
    PyObject *document = NULL;
    if (read_document(&t) == 0 && ROOTS[type_index](&t, 0)) {
        CodeRules silent = rules_for(DOCUMENT_TYPES[type_index]);
        if (silent == NULL || silent(&t) == 1) document = build(&t, 0);
        else document = Py_NewRef(Py_None);
    } else document = Py_NewRef(Py_None);
    if (t.nodes != shared_nodes) {
        PyMem_Free(t.nodes);
        PyMem_Free(t.keys);
    }
    return document;
}

static PyObject *prove(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 6 || !PyBytes_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "prove(type_index, data: bytes, max_bytes, max_depth, max_string, max_entries)");
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
    return proven(type_index, text, (size_t)PyBytes_GET_SIZE(args[1]), limits);
}

static PyMethodDef METHODS[] = {
    {"prove", (PyCFunction)(void (*)(void))prove, METH_FASTCALL,
     "prove(type_index, data, max_bytes, max_depth, max_string, max_entries) -> the document, or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_prover", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__prover(void) {
    PyObject *module = PyModule_Create(&MODULE);
    if (module == NULL) return NULL;
    size_t type_count = sizeof DOCUMENT_TYPES / sizeof *DOCUMENT_TYPES;
    PyObject *types = PyTuple_New((Py_ssize_t)type_count), *rules = PyDict_New();
    if (types == NULL || rules == NULL) goto fail;
    for (size_t k = 0; k < type_count; k++)
        PyTuple_SET_ITEM(types, (Py_ssize_t)k, PyUnicode_FromString(DOCUMENT_TYPES[k]));
    for (size_t k = 0; k < sizeof CODE_RULES / sizeof *CODE_RULES; k++) {
        PyObject *ids = PyTuple_New((Py_ssize_t)CODE_RULES[k].count);
        if (ids == NULL) goto fail;
        for (size_t r = 0; r < CODE_RULES[k].count; r++)
            PyTuple_SET_ITEM(ids, (Py_ssize_t)r, PyUnicode_FromString(CODE_RULES[k].ids[r]));
        int failed = PyDict_SetItemString(rules, CODE_RULES[k].doc_type, ids);
        Py_DECREF(ids);
        if (failed) goto fail;
    }
    if (PyModule_AddObject(module, "DOCUMENT_TYPES", types) == 0) {
        types = NULL;
        if (PyModule_AddObject(module, "CODE_RULES", rules) == 0) return module;
    }
fail:
    Py_XDECREF(types);
    Py_XDECREF(rules);
    Py_DECREF(module);
    return NULL;
}
