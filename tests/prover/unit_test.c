/* The prover's C on inputs the Python tests cannot reach: code rules on documents that
 * lack the fields the schema requires (they never run on those from Python), and the
 * reader at the edges of its number and string handling. Run under AddressSanitizer and
 * UBSan by `make sanitize`, so a read past a buffer or an overflow fails it too. */
#include "harness.h"

static int failures;

#define CHECK(condition)                                                              \
    do {                                                                              \
        if (!(condition)) {                                                           \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #condition); \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* job_rules_fired on a document: the rules with findings, as bits in JOB_RULE_IDS order. */
static unsigned job_rules_on(const char *json) {
    Tape t;
    int status = read_bytes(&t, (const unsigned char *)json, strlen(json));
    CHECK(status == 0);
    unsigned fired = status == 0 ? job_rules_fired(&t) : 0;
    done(&t);
    return fired;
}

enum { MATCHES_OPERATION = 1, UNREGISTERED = 2, DEADLINE = 16 };

/* The reader's status on a document, and the first number's value when it reads one. */
static int read_number_of(const char *json, int64_t *integer, double *number) {
    Tape t;
    int status = read_bytes(&t, (const unsigned char *)json, strlen(json));
    if (status == 0) *integer = t.nodes[0].integer, *number = t.nodes[0].number;
    done(&t);
    return status;
}

/* The first string of a document, decoded, compared with what it must be. */
static int string_is(const char *json, const char *expected, size_t length, uint32_t chars) {
    Tape t;
    int status = read_bytes(&t, (const unsigned char *)json, strlen(json));
    int same = status == 0 && t.nodes[0].kind == K_STRING && t.nodes[0].len == length &&
               t.nodes[0].chars == chars && memcmp(string_bytes(&t, &t.nodes[0]), expected, length) == 0;
    done(&t);
    return same;
}

static void code_rules_read_only_what_is_there(void) {
    /* No created_at: the root object must not be read as a string. */
    CHECK(job_rules_on("{\"execution\": {\"deadline\": \"2026-01-30T10:00:00Z\"}}") == 0);
    CHECK(job_rules_on("{\"created_at\": 5, \"execution\": {\"deadline\": \"2026-01-30T10:00:00Z\"}}") == 0);
    /* Strings too short to be date-times are not read past their end: the schema reports them. */
    CHECK(job_rules_on("{\"created_at\": \"\", \"execution\": {\"deadline\": \"\"}}") == 0);
    CHECK(job_rules_on("{\"created_at\": \"2026-01-30T10:00:00\", \"execution\": {\"deadline\": \"2026\"}}") == 0);
    /* No payload type, or not a string: both payload-type rules are silent, as in Python. */
    CHECK(job_rules_on("{\"operation\": \"guestkit.inspect\"}") == 0);
    CHECK(job_rules_on("{\"payload\": {\"type\": 7}, \"operation\": \"guestkit.inspect\"}") == 0);
    CHECK(job_rules_on("{\"payload\": {\"type\": \"guestkit.inspect.v1\"}, \"operation\": []}") == 0);
    CHECK(job_rules_on("{\"payload\": {\"type\": \"guestkit.inspect.v9\"}}") == UNREGISTERED);
    CHECK(job_rules_on("{\"payload\": {\"type\": \"guestkit.inspect.v1\"}, \"operation\": \"guestkit.fix\"}") == MATCHES_OPERATION);
    CHECK(job_rules_on("[]") == 0);
    /* Each rule has its bit: a mismatched and unregistered payload type sets both. */
    CHECK(job_rules_on("{\"payload\": {\"type\": \"guestkit.backup.v1\"}, \"operation\": \"guestkit.fix\"}") ==
          (MATCHES_OPERATION | UNREGISTERED));
}

/* A job's created_at and deadline, for the deadline rule. */
#define DEADLINE_JOB(created, deadline) "{\"created_at\": \"" created "\", \"execution\": {\"deadline\": \"" deadline "\"}}"

static void the_deadline_rule_compares_exact_instants(void) {
    CHECK(job_rules_on(DEADLINE_JOB("2026-01-30T10:00:00Z", "2026-01-30T10:00:00Z")) == 0);
    CHECK(job_rules_on(DEADLINE_JOB("2026-01-30T10:00:00.5+00:00", "2026-01-30T11:00:00.50+01:00")) == 0);
    CHECK(job_rules_on(DEADLINE_JOB("2026-01-30T10:00:00.123456+00:00", "2026-01-30T11:00:00+01:00")) == DEADLINE);
    CHECK(job_rules_on(DEADLINE_JOB("2026-01-30T10:00:00.0000001Z", "2026-01-30T10:00:00Z")) == DEADLINE);
    /* Instants beyond years 1 to 9999, which only the offset reaches. */
    CHECK(job_rules_on(DEADLINE_JOB("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z")) == 0);
    CHECK(job_rules_on(DEADLINE_JOB("0001-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00")) == DEADLINE);
    CHECK(job_rules_on(DEADLINE_JOB("9999-12-31T23:00:00Z", "9999-12-31T23:30:00-01:00")) == 0);
    /* Not date-times as timestamps.instant reads them (lower-case z, no calendar day): silent. */
    CHECK(job_rules_on(DEADLINE_JOB("2026-01-30T10:00:00Z", "2026-01-30T09:00:00z")) == 0);
    CHECK(job_rules_on(DEADLINE_JOB("2026-01-30T10:00:00Z", "2025-02-29T09:00:00Z")) == 0);
    CHECK(job_rules_on(DEADLINE_JOB("2026-01-30T10:00:00Z", "2026-01-30T09:00:00.Z")) == 0);
}

static void integers_stop_at_the_int64_bounds(void) {
    int64_t integer = 0;
    double number = 0;
    CHECK(read_number_of("9223372036854775807", &integer, &number) == 0 && integer == INT64_MAX);
    CHECK(read_number_of("-9223372036854775808", &integer, &number) == 0 && integer == INT64_MIN);
    CHECK(read_number_of("9223372036854775808", &integer, &number) == REFUSE);
    CHECK(read_number_of("-9223372036854775809", &integer, &number) == REFUSE);
    CHECK(read_number_of("18446744073709551616", &integer, &number) == REFUSE);
    CHECK(read_number_of("99999999999999999999999999999", &integer, &number) == REFUSE);
    CHECK(read_number_of("-0", &integer, &number) == 0 && integer == 0);
    CHECK(read_number_of("1e400", &integer, &number) == REFUSE);
    CHECK(read_number_of("-1e400", &integer, &number) == REFUSE);
    CHECK(read_number_of("1e-400", &integer, &number) == 0 && number == 0.0);
    CHECK(read_number_of("1.5", &integer, &number) == 0 && number == 1.5);
    CHECK(read_number_of("25E-1", &integer, &number) == 0 && number == 2.5);
    CHECK(read_number_of("1.", &integer, &number) == REFUSE);
    CHECK(read_number_of("1e", &integer, &number) == REFUSE);
    CHECK(read_number_of("01", &integer, &number) == REFUSE);
}

/* Whether the reader saw a number with a fraction or an exponent and an integral value. */
static int integral_fraction_in(const char *json) {
    Tape t;
    int status = read_bytes(&t, (const unsigned char *)json, strlen(json));
    int integral = status == 0 && t.integral_fraction;
    done(&t);
    return integral;
}

enum { WITHIN_MAX = 4, LONG_TIMEOUT = 8, LARGE_DISK = 32 };

static void integers_written_as_fractions_are_integers(void) {
    CHECK(!integral_fraction_in("[5, 5.5, -2.5e0, \"5.0\"]"));
    CHECK(integral_fraction_in("[5.0]") && integral_fraction_in("[5e0]") && integral_fraction_in("{\"a\": 50E-1}"));
    CHECK(integral_fraction_in("-0.0") && integral_fraction_in("1e300"));
    /* The code rules read them by value, within int64, as code_rules._integer does. */
    CHECK(job_rules_on("{\"execution\": {\"attempt\": 4.0, \"max_attempts\": 3}}") == WITHIN_MAX);
    CHECK(job_rules_on("{\"execution\": {\"attempt\": 3e0, \"max_attempts\": 30E-1}}") == 0);
    CHECK(job_rules_on("{\"execution\": {\"attempt\": 4.5, \"max_attempts\": 3}}") == 0);
    CHECK(job_rules_on("{\"execution\": {\"timeout_seconds\": 86401.0}}") == LONG_TIMEOUT);
    CHECK(job_rules_on("{\"execution\": {\"timeout_seconds\": 1e300}}") == 0);
    CHECK(job_rules_on("{\"execution\": {\"timeout_seconds\": 9.3e18}}") == 0);
    CHECK(job_rules_on("{\"constraints\": {\"maximum_disk_size_gb\": 1.00001e5}}") == LARGE_DISK);
}

static void escapes_decode_as_the_strict_decoder_does(void) {
    CHECK(string_is("\"a\\nb\"", "a\nb", 3, 3));
    CHECK(string_is("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8, 8));
    CHECK(string_is("\"\\u00e9\"", "\xc3\xa9", 2, 1));
    CHECK(string_is("\"\\u0000\"", "\0", 1, 1));
    CHECK(string_is("\"\\ud83d\\ude00!\"", "\xf0\x9f\x98\x80!", 5, 2));
    CHECK(string_is("\"\xc3\xa9\\n\"", "\xc3\xa9\n", 3, 2));
    Tape t;
    const char *refused[] = {"\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", "\"\\x41\"",
                             "\"\\u12\"",   "\"\\",        "\"a\\\"",     "\"\x01\"",           "\"\\u00e9\x01\""};
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
        int status = read_bytes(&t, (const unsigned char *)refused[k], strlen(refused[k]));
        if (status != REFUSE) fprintf(stderr, "read: %s\n", refused[k]);
        CHECK(status == REFUSE);
        done(&t);
    }
}

static void many_keys_are_sorted_without_reading_past_them(void) {
    /* 5,000 keys, two of them equal once decoded ("k17" and "k\u0031\u0037"), sorted by heapsort. */
    size_t size = 5000 * 16 + 64, used = 0;
    char *json = malloc(size);
    used += (size_t)snprintf(json + used, size - used, "{");
    for (int k = 0; k < 5000; k++) used += (size_t)snprintf(json + used, size - used, "\"k%d\": %d,", k, k);
    used += (size_t)snprintf(json + used, size - used, "\"last\": 0}");
    Tape t;
    CHECK(read_bytes(&t, (const unsigned char *)json, used) == 0);
    done(&t);
    used -= strlen("\"last\": 0}");
    used += (size_t)snprintf(json + used, size - used, "\"k\\u0031\\u0037\": 0}");
    CHECK(read_bytes(&t, (const unsigned char *)json, used) == REFUSE);
    done(&t);
    free(json);
}

static void the_tape_grows_with_keys_on_its_stack(void) {
    /* An object whose 20 members each hold 2,000 numbers: the tape grows while the keys of
     * the outer object wait on the key stack, and the duplicate at the end is still seen. */
    size_t size = 20 * (8 + 2000 * 2) + 64, used = 0;
    char *json = malloc(size);
    used += (size_t)snprintf(json + used, size - used, "{");
    for (int k = 0; k < 20; k++) {
        used += (size_t)snprintf(json + used, size - used, "%s\"m%02d\":[0", k ? "," : "", k);
        for (int n = 1; n < 2000; n++) json[used++] = ',', json[used++] = '0';
        json[used++] = ']';
    }
    int closing = (int)used;
    used += (size_t)snprintf(json + used, size - used, "}");
    Tape t;
    CHECK(read_bytes(&t, (const unsigned char *)json, used) == 0 && t.used == 1 + 20 * 2002 && t.capacity > 4096);
    CHECK(t.nodes[0].count == 20 && t.nodes[t.nodes[0].next - 1].kind == K_INT);
    done(&t);
    used = (size_t)closing + (size_t)snprintf(json + closing, size - (size_t)closing, ",\"m07\":1}");
    CHECK(read_bytes(&t, (const unsigned char *)json, used) == REFUSE);
    done(&t);
    free(json);
}

int main(void) {
    start_python();
    code_rules_read_only_what_is_there();
    the_deadline_rule_compares_exact_instants();
    integers_stop_at_the_int64_bounds();
    integers_written_as_fractions_are_integers();
    escapes_decode_as_the_strict_decoder_does();
    many_keys_are_sorted_without_reading_past_them();
    the_tape_grows_with_keys_on_its_stack();
    Py_Finalize();
    if (failures) fprintf(stderr, "%d checks failed\n", failures);
    else printf("prover C unit tests: every check passed\n");
    return failures != 0;
}
