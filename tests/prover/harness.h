/* What the C programs that test the prover share: the module compiled in, an embedded
 * interpreter (the reader converts numbers with Python's own function), and tapes read
 * from bytes with the package's default limits (limits.py). Built by tests/prover/compile_prover.py. */
#ifndef GUESTKIT_PROVER_HARNESS_H
#define GUESTKIT_PROVER_HARNESS_H

#include "../../python/guestkit_job_spec/validation/fast/c/module.c"

#include <stdio.h>

static const Limits DEFAULT_LIMITS = {16u << 20, 64, 1u << 20, 100000};

static State harness_state; /* zeroed: no spare tape yet, no shared keys */

/* Start an interpreter in which `import _prover` gives this build of the module. */
static void start_python(void) {
    if (PyImport_AppendInittab("_prover", PyInit__prover) < 0) abort();
    Py_InitializeEx(0);
}

/* Read size bytes into t with the default limits: 0, REFUSE or FAILED; done() frees it. */
static int read_bytes(Tape *t, const unsigned char *text, size_t size) {
    *t = (Tape){.text = text, .size = size, .limits = DEFAULT_LIMITS};
    if (size > MAX_TAPE_BYTES || take_tape(&harness_state, t) < 0) return FAILED;
    return read_document(t);
}

static void done(Tape *t) { release_tape(&harness_state, t); }

#endif
