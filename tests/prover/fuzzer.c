/* libFuzzer on the prover's C, every input as every document type: the reader, the schema
 * functions and their explaining twins, the code-only rules, and the documents and
 * findings built for Python, through the module's own entry points. Built with
 * AddressSanitizer and UBSan (tests/prover/compile_prover.py fuzzer; make fuzz runs it), so a read
 * or write out of bounds or undefined behaviour stops it with a report. It also stops when
 * the parts disagree:
 * - a schema function and its finding twin: valid exactly when nothing is found;
 * - prove(), find() and member_names() refuse the same bytes; what prove()
 *   proves find() finds nothing in, and both build equal documents; what it does not
 *   prove it answers exactly as find() does;
 * - nothing is raised (not even MemoryError: inputs are small).
 * The differential fuzz (differential.py) holds the values to the strict decoder's. */
#include "harness.h"

static PyObject *module, *report_class;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    start_python();
    module = PyImport_ImportModule("_prover");
    PyObject *globals = PyDict_New();
    if (module == NULL || globals == NULL || PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0)
        abort();
    PyObject *ran = PyRun_String("class Report:\n    pass\n", Py_file_input, globals, globals);
    report_class = PyDict_GetItemString(globals, "Report");
    if (ran == NULL || report_class == NULL) abort();
    Py_INCREF(report_class);
    Py_DECREF(ran);
    return 0;
}

static void fail(const char *why) {
    fprintf(stderr, "prover fuzzer: %s\n", why);
    if (PyErr_Occurred()) PyErr_Print();
    abort();
}

/* The answer of prove, find or member_names, which raise nothing on these inputs: a
 * MemoryError from a few kilobytes is a bug (a tape too small for what the reader let in was
 * one), and the sanitizers stop the run before a real allocation fails. */
static PyObject *answer_of(PyObject *answer) {
    if (answer == NULL) fail("an exception");
    return answer;
}

/* A schema function and its twin agree on the tape of these bytes. */
static void twins_agree(const uint8_t *data, size_t size, Py_ssize_t type_index) {
    Tape t;
    if (read_bytes(&t, data, size) == 0) {
        Findings f = {0};
        int valid = ROOTS[type_index](&t, 0);
        FINDERS[type_index](&t, 0, &f, -1, 0);
        if (f.out_of_memory) fail("out of memory finding");
        if (valid != (f.count == 0)) fail("a schema function and its twin disagree");
        free(f.items);
    }
    if (PyErr_Occurred()) fail("an exception from reading");
    done(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)size);
    if (bytes == NULL) fail("no bytes object");
    for (Py_ssize_t k = 0; k < (Py_ssize_t)(sizeof DOCUMENT_TYPES / sizeof *DOCUMENT_TYPES); k++) {
        twins_agree(data, size, k);
        PyObject *arguments[] = {report_class,
                                 PyLong_FromSsize_t(k),
                                 bytes,
                                 PyLong_FromSize_t(DEFAULT_LIMITS.max_bytes),
                                 PyLong_FromSize_t(DEFAULT_LIMITS.max_depth),
                                 PyLong_FromSize_t(DEFAULT_LIMITS.max_string),
                                 PyLong_FromSize_t(DEFAULT_LIMITS.max_entries)};
        PyObject *found = answer_of(find(module, arguments + 1, 6));
        PyObject *proven = answer_of(prove(module, arguments, 7));
        PyObject *names = answer_of(member_names(module, arguments + 2, 5));
        if ((found == Py_None) != (names == Py_None)) fail("find() and member_names() disagree on reading");
        if ((found == Py_None) != (proven == Py_False)) fail("prove() and find() disagree on reading");
        if (PyTuple_Check(proven)) {
            if (PyObject_RichCompareBool(proven, found, Py_EQ) != 1) fail("prove() and find() found different things");
        } else if (proven != Py_False) {
            PyObject *document = PyObject_GetAttrString(proven, "document");
            if (document == NULL || PyList_GET_SIZE(PyTuple_GET_ITEM(found, 1)) != 0)
                fail("find() found something in a proven document");
            if (PyObject_RichCompareBool(document, PyTuple_GET_ITEM(found, 0), Py_EQ) != 1)
                fail("prove() and find() built different documents");
            Py_DECREF(document);
        }
        Py_DECREF(names);
        Py_DECREF(found);
        Py_DECREF(proven);
        for (int m = 1; m < 7; m++)
            if (m != 2) Py_DECREF(arguments[m]);
    }
    Py_DECREF(bytes);
    return 0;
}
