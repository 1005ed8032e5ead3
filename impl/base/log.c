/* SPDX-License-Identifier: BSD-2-Clause-Patent */
#include "rtprm/fmt.h"
#include "rtprm/platform.h"

static rp_log_level max_level = RP_LOG_INFO;

void rp_log_set_level(rp_log_level max) { max_level = max; }

void rp_log(rp_log_level level, const char *fmt, ...) {
  char line[256];
  va_list ap;
  if (level > max_level) return;
  va_start(ap, fmt);
  size_t n = rp_vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n >= sizeof(line)) n = sizeof(line) - 1;
  rp_plat_log_write(line, n);
}
