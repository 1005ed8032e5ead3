#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "rtprm/crc32.h"
static void crc_check_value(void **state) { (void)state; assert_int_equal(rp_crc32("123456789", 9), 0xCBF43926u); }
int main(void) { const struct CMUnitTest t[] = { cmocka_unit_test(crc_check_value) }; return cmocka_run_group_tests_name("base", t, NULL, NULL); }
