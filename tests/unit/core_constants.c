/* The runtime constant table (svcq_constant, svcq_constant_at,
 * svcq_table_size): lookups, the order bsearch relies on, and the argument
 * checks. That the table is complete is the abi/constants test's job: it
 * parses the headers. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "svcq.h"

static void sorted_unique_and_found_by_name(void **state)
{
    (void)state;
    uint32_t n = svcq_constant_count();
    assert_true(n > 50);
    const char *prev = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = NULL;
        int64_t value = 0, again = 0;
        assert_int_equal(svcq_constant_at(&name, &value, i), SVCQ_OK);
        assert_non_null(name);
        assert_int_equal(strncmp(name, "SVCQ_", 5), 0);
        if (prev && strcmp(prev, name) >= 0)
            fail_msg("constants[] out of strcmp order or duplicated: %s then %s", prev, name);
        prev = name;
        /* Every entry is reachable by the binary search. */
        assert_int_equal(svcq_constant(&again, name), SVCQ_OK);
        assert_true(again == value);
    }
}

static void values_are_the_headers(void **state)
{
    (void)state;
    struct { const char *name; int64_t value; } want[] = {
        { "SVCQ_OK", SVCQ_OK },
        { "SVCQ_EABORTED", SVCQ_EABORTED },
        { "SVCQ_ERROR_RESERVED_MIN", SVCQ_ERROR_RESERVED_MIN },
        { "SVCQ_SLA_NEVER", SVCQ_SLA_NEVER },
        { "SVCQ_SLA_MAX_LEVELS", SVCQ_SLA_MAX_LEVELS },
        { "SVCQ_SLA_STATUS_VERSION", SVCQ_SLA_STATUS_VERSION },
        { "SVCQ_SLA_BREACHED", SVCQ_SLA_BREACHED },
        { "SVCQ_STORE_MAX_VALUE", SVCQ_STORE_MAX_VALUE },
        { "SVCQ_CALENDAR_RT_NEXT_OPENING", SVCQ_CALENDAR_RT_NEXT_OPENING },
        { "SVCQ_WRITER_VERSION", SVCQ_WRITER_VERSION },
        { "SVCQ_VERSION_NUMBER", SVCQ_VERSION_NUMBER },
        { "SVCQ_SUNDAY", SVCQ_SUNDAY },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int64_t v = -42;
        assert_int_equal(svcq_constant(&v, want[i].name), SVCQ_OK);
        if (v != want[i].value)
            fail_msg("%s: %lld, header says %lld", want[i].name, (long long)v, (long long)want[i].value);
    }
    assert_true(SVCQ_SLA_NEVER == INT64_MAX);
}

static void unknown_and_invalid(void **state)
{
    (void)state;
    int64_t v = 77;
    assert_int_equal(svcq_constant(&v, "SVCQ_NOPE"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_constant(&v, "svcq_ok"), SVCQ_ENOTFOUND);       /* exact names only */
    assert_int_equal(svcq_constant(&v, "SVCQ_SLA_EVENT_PAUSE"), SVCQ_ENOTFOUND); /* a string macro */
    assert_int_equal(svcq_constant(&v, ""), SVCQ_ENOTFOUND);
    assert_int_equal(v, 77);
    assert_int_equal(svcq_constant(NULL, "SVCQ_OK"), SVCQ_EINVAL);
    assert_int_equal(svcq_constant(&v, NULL), SVCQ_EINVAL);

    const char *name = "untouched";
    assert_int_equal(svcq_constant_at(&name, &v, svcq_constant_count()), SVCQ_ERANGE);
    assert_int_equal(svcq_constant_at(&name, &v, UINT32_MAX), SVCQ_ERANGE);
    assert_string_equal(name, "untouched");
    assert_int_equal(v, 77);
    assert_int_equal(svcq_constant_at(NULL, &v, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_constant_at(&name, NULL, 0), SVCQ_EINVAL);
}

static void table_sizes(void **state)
{
    (void)state;
    assert_int_equal(svcq_table_size("svcq_ctx_options"), sizeof(svcq_ctx_options));
    assert_int_equal(svcq_table_size("svcq_writer"), sizeof(svcq_writer));
    assert_int_equal(svcq_table_size("svcq_sla_status"), sizeof(svcq_sla_status));
    assert_int_equal(svcq_table_size("svcq_store_methods"), sizeof(svcq_store_methods));
    assert_int_equal(svcq_table_size("svcq_sla_notice"), sizeof(svcq_sla_notice));
    assert_int_equal(svcq_table_size("svcq_ctx"), 0);          /* opaque, not a table */
    assert_int_equal(svcq_table_size("SVCQ_WRITER_VERSION"), 0);
    assert_int_equal(svcq_table_size(""), 0);
    assert_int_equal(svcq_table_size(NULL), 0);
}

static void strerror_covers_every_code(void **state)
{
    (void)state;
    /* Every SVCQ_E<NAME> constant of the table is named, each differently. */
    const char *seen[64];
    size_t nseen = 0;
    for (uint32_t i = 0; i < svcq_constant_count(); i++) {
        const char *name;
        int64_t value;
        assert_int_equal(svcq_constant_at(&name, &value, i), SVCQ_OK);
        bool code = strcmp(name, "SVCQ_OK") == 0;
        if (strncmp(name, "SVCQ_E", 6) == 0) {
            code = true;
            for (const char *p = name + 6; *p; p++)
                if (*p < 'A' || *p > 'Z')
                    code = false;
        }
        if (!code)
            continue;
        assert_true(value <= 0 && value >= SVCQ_ERROR_RESERVED_MIN);
        const char *text = svcq_strerror((int)value);
        if (strcmp(text, "unknown error") == 0)
            fail_msg("svcq_strerror(%s) is \"unknown error\"", name);
        for (size_t j = 0; j < nseen; j++)
            assert_string_not_equal(seen[j], text);
        assert_true(nseen < 64);
        seen[nseen++] = text;
    }
    assert_int_equal(nseen, 1 - SVCQ__ERROR_LAST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorted_unique_and_found_by_name),
        cmocka_unit_test(values_are_the_headers),
        cmocka_unit_test(unknown_and_invalid),
        cmocka_unit_test(table_sizes),
        cmocka_unit_test(strerror_covers_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
