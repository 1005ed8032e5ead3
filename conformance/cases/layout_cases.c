/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Layout conformance cases (requirements/layout.json, LAYOUT-*): one case per
 * layout requirement. Each compares, at run time on the host, sizeof/offsetof
 * of every row of rtprm/spec/layout.def that names the requirement with the
 * row's value for this architecture (the 64 column on x86_64/AArch64, the
 * IA32 column on i386, skipping -1). The same rows are _Static_asserts in
 * impl/base/layout.c for every firmware target (tools/layout_check.py); these
 * cases put them in the traceability matrix with a verdict per requirement.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "rtprm/spec/acpi.h"
#include "rtprm/spec/pecoff.h"
#include "rtprm/spec/pi_runtime.h"
#include "rtprm/spec/prm.h"
#include "rtprm/spec/uefi_base.h"
#include "rtprm/spec/uefi_tables.h"

typedef struct {
  const char *req;      /* requirement ID */
  const char *what;     /* "sizeof(T)" or "offsetof(T, M)" */
  size_t      actual;
  long long   v64;      /* expected on x64/AArch64 */
  long long   via32;    /* expected on IA32; -1: not given */
} layout_row;

#define RP_LAYOUT_SIZE(req, type, v64, via32) \
  { req, "sizeof(" #type ")", sizeof(type), v64, via32 },
#define RP_LAYOUT_OFFSET(req, type, member, v64, via32) \
  { req, "offsetof(" #type ", " #member ")", offsetof(type, member), v64, via32 },
static const layout_row layout_rows[] = {
#include "rtprm/spec/layout.def"
};
#undef RP_LAYOUT_SIZE
#undef RP_LAYOUT_OFFSET

#define N_LAYOUT_ROWS (sizeof(layout_rows) / sizeof(layout_rows[0]))

static long long expected_here(const layout_row *row) {
#if defined(__x86_64__) || defined(__aarch64__)
  return row->v64;
#elif defined(__i386__)
  return row->via32;
#else
#error "layout_cases.c: no layout column for this architecture"
#endif
}

/* c->input is the requirement ID whose rows this case checks. */
static void layout_exec(const rp_case *c, rp_case_result *r) {
  const char *req = c->input;
  char first[200] = "";
  size_t rows = 0, checked = 0, bad = 0;

  r->status = EFI_SUCCESS;
  r->reason = RP_R_NONE;
  r->index = RP_DIAG_NO_INDEX;
  r->post_ok = true;

  for (size_t i = 0; i < N_LAYOUT_ROWS; i++) {
    const layout_row *row = &layout_rows[i];
    if (strcmp(row->req, req) != 0) continue;
    rows++;
    long long want = expected_here(row);
    if (want < 0) continue;
    checked++;
    if ((long long)row->actual != want) {
      if (bad++ == 0)
        snprintf(first, sizeof(first), "%s is %zu, expected %lld (row %s, %lld/%lld)", row->what,
                 row->actual, want, row->req, row->v64, row->via32);
    }
  }
  if (rows == 0)
    rp_case_fail(r, "layout.def has no row for %s", req);
  else if (bad != 0)
    rp_case_fail(r, "%zu of %zu rows differ; first: %s", bad, checked, first);
}

#define LAYOUT_CASE(id, req, title) \
  { id, req, title, EFI_SUCCESS, RP_R_NONE, RP_DIAG_NO_INDEX, req, NULL }

static const rp_case layout_cases[] = {
  LAYOUT_CASE("LAYOUT-C-001", "LAYOUT-UEFI-001",
              "sizeof/offsetof of EFI_GUID match the spec values"),
  LAYOUT_CASE("LAYOUT-C-002", "LAYOUT-UEFI-002",
              "sizeof/offsetof of EFI_TABLE_HEADER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-003", "LAYOUT-UEFI-003",
              "sizeof/offsetof of EFI_MEMORY_DESCRIPTOR match the spec values"),
  LAYOUT_CASE("LAYOUT-C-004", "LAYOUT-UEFI-004",
              "sizeof/offsetof of EFI_LIST_ENTRY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-005", "LAYOUT-UEFI-005",
              "sizeof/offsetof of EFI_SYSTEM_TABLE match the spec values"),
  LAYOUT_CASE("LAYOUT-C-006", "LAYOUT-UEFI-006",
              "sizeof/offsetof of EFI_BOOT_SERVICES match the spec values"),
  LAYOUT_CASE("LAYOUT-C-007", "LAYOUT-UEFI-007",
              "sizeof/offsetof of EFI_RUNTIME_SERVICES match the spec values"),
  LAYOUT_CASE("LAYOUT-C-008", "LAYOUT-UEFI-008",
              "sizeof/offsetof of EFI_CONFIGURATION_TABLE match the spec values"),
  LAYOUT_CASE("LAYOUT-C-009", "LAYOUT-UEFI-009",
              "sizeof/offsetof of EFI_RT_PROPERTIES_TABLE match the spec values"),
  LAYOUT_CASE("LAYOUT-C-010", "LAYOUT-UEFI-010",
              "sizeof/offsetof of EFI_MEMORY_ATTRIBUTES_TABLE match the spec values"),
  LAYOUT_CASE("LAYOUT-C-011", "LAYOUT-UEFI-011",
              "sizeof/offsetof of EFI_LOADED_IMAGE_PROTOCOL match the spec values"),
  LAYOUT_CASE("LAYOUT-C-012", "LAYOUT-UEFI-012",
              "sizeof/offsetof of EFI_TIME, EFI_TIME_CAPABILITIES match the spec values"),
  LAYOUT_CASE("LAYOUT-C-013", "LAYOUT-UEFI-013",
              "sizeof/offsetof of EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, SIMPLE_TEXT_OUTPUT_MODE match the spec values"),
  LAYOUT_CASE("LAYOUT-C-014", "LAYOUT-UEFI-014",
              "sizeof/offsetof of EFI_SIMPLE_TEXT_INPUT_PROTOCOL, EFI_INPUT_KEY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-015", "LAYOUT-UEFI-015",
              "sizeof/offsetof of EFI_DEVICE_PATH_PROTOCOL match the spec values"),
  LAYOUT_CASE("LAYOUT-C-016", "LAYOUT-UEFI-016",
              "sizeof/offsetof of EFI_ACPI_TABLE_PROTOCOL match the spec values"),
  LAYOUT_CASE("LAYOUT-C-017", "LAYOUT-UEFI-017",
              "sizeof/offsetof of EFI_CAPSULE_HEADER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-018", "LAYOUT-UEFI-018",
              "sizeof/offsetof of EFI_OPEN_PROTOCOL_INFORMATION_ENTRY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-019", "LAYOUT-RTAP-001",
              "sizeof/offsetof of EFI_RUNTIME_ARCH_PROTOCOL match the spec values"),
  LAYOUT_CASE("LAYOUT-C-020", "LAYOUT-RTAP-002",
              "sizeof/offsetof of EFI_RUNTIME_IMAGE_ENTRY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-021", "LAYOUT-RTAP-003",
              "sizeof/offsetof of EFI_RUNTIME_EVENT_ENTRY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-022", "LAYOUT-PE-001",
              "sizeof/offsetof of IMAGE_DOS_HEADER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-023", "LAYOUT-PE-002",
              "sizeof/offsetof of IMAGE_FILE_HEADER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-024", "LAYOUT-PE-003",
              "sizeof/offsetof of IMAGE_OPTIONAL_HEADER32 match the spec values"),
  LAYOUT_CASE("LAYOUT-C-025", "LAYOUT-PE-004",
              "sizeof/offsetof of IMAGE_OPTIONAL_HEADER64 match the spec values"),
  LAYOUT_CASE("LAYOUT-C-026", "LAYOUT-PE-005",
              "sizeof/offsetof of IMAGE_DATA_DIRECTORY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-027", "LAYOUT-PE-006",
              "sizeof/offsetof of IMAGE_NT_HEADERS32, IMAGE_NT_HEADERS64 match the spec values"),
  LAYOUT_CASE("LAYOUT-C-028", "LAYOUT-PE-007",
              "sizeof/offsetof of IMAGE_SECTION_HEADER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-029", "LAYOUT-PE-008",
              "sizeof/offsetof of IMAGE_BASE_RELOCATION match the spec values"),
  LAYOUT_CASE("LAYOUT-C-030", "LAYOUT-PE-009",
              "sizeof/offsetof of IMAGE_EXPORT_DIRECTORY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-031", "LAYOUT-PE-010",
              "sizeof/offsetof of IMAGE_DEBUG_DIRECTORY match the spec values"),
  LAYOUT_CASE("LAYOUT-C-032", "LAYOUT-PE-011",
              "sizeof/offsetof of EFI_TE_IMAGE_HEADER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-033", "LAYOUT-ACPI-001",
              "sizeof/offsetof of EFI_ACPI_DESCRIPTION_HEADER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-034", "LAYOUT-ACPI-002",
              "sizeof/offsetof of EFI_ACPI_ROOT_SYSTEM_DESCRIPTION_POINTER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-035", "LAYOUT-ACPI-003",
              "sizeof/offsetof of EFI_ACPI_XSDT match the spec values"),
  LAYOUT_CASE("LAYOUT-C-036", "LAYOUT-ACPI-004",
              "sizeof/offsetof of EFI_ACPI_GENERIC_ADDRESS_STRUCTURE match the spec values"),
  LAYOUT_CASE("LAYOUT-C-037", "LAYOUT-PRM-001",
              "sizeof/offsetof of PRM_ACPI_DESCRIPTION_TABLE match the spec values"),
  LAYOUT_CASE("LAYOUT-C-038", "LAYOUT-PRM-002",
              "sizeof/offsetof of PRM_MODULE_INFORMATION_STRUCT match the spec values"),
  LAYOUT_CASE("LAYOUT-C-039", "LAYOUT-PRM-003",
              "sizeof/offsetof of PRM_HANDLER_INFORMATION_STRUCT match the spec values"),
  LAYOUT_CASE("LAYOUT-C-040", "LAYOUT-PRM-004",
              "sizeof/offsetof of PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT_HEADER, PRM_HANDLER_EXPORT_DESCRIPTOR_STRUCT, PRM_MODULE_EXPORT_DESCRIPTOR_STRUCT match the spec values"),
  LAYOUT_CASE("LAYOUT-C-041", "LAYOUT-PRM-005",
              "sizeof/offsetof of PRM_CONTEXT_BUFFER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-042", "LAYOUT-PRM-006",
              "sizeof/offsetof of PRM_DATA_BUFFER_HEADER, PRM_DATA_BUFFER match the spec values"),
  LAYOUT_CASE("LAYOUT-C-043", "LAYOUT-PRM-007",
              "sizeof/offsetof of PRM_RUNTIME_MMIO_RANGE, PRM_RUNTIME_MMIO_RANGES match the spec values"),
  LAYOUT_CASE("LAYOUT-C-044", "LAYOUT-PRM-008",
              "sizeof/offsetof of PRM_MODULE_CONTEXT_BUFFERS, PRM_CONFIG_PROTOCOL match the spec values"),
  LAYOUT_CASE("LAYOUT-C-045", "LAYOUT-PRM-009",
              "sizeof/offsetof of ACPI_PARAMETER_BUFFER_DESCRIPTOR match the spec values"),
  LAYOUT_CASE("LAYOUT-C-046", "LAYOUT-PRM-010",
              "sizeof/offsetof of PRM_OPREGION_BUFFER match the spec values"),
};

extern const rp_case_group rp_group_layout;
const rp_case_group rp_group_layout = {
  "layout",
  layout_cases,
  sizeof(layout_cases) / sizeof(layout_cases[0]),
  layout_exec,
};
