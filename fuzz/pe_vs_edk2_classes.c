/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pe_vs_edk2: outcomes, and the divergence classes every disagreement
 * between our PE/COFF library and EDK II's BasePeCoffLib must fall into
 * (reports/anchors/edk2-differential.md; one reproducer per class in
 * corpus/anchors/pe_vs_edk2/).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pe_vs_edk2.h"
#include "rtprm/status.h"

void diff_outcome_init(diff_outcome *o) {
  memset(o, 0, sizeof(*o));
  o->cls = -1;
}

void diff_ours_failed(diff_outcome *o, diff_step step, uint32_t reason) {
  o->ours_failed = step;
  o->ours_reason = reason;
}

void diff_take_edk2(diff_outcome *o, const edk2_run *e, uint64_t x) {
  o->edk2_end = e->end;
  o->edk2_step = e->result.step;
  o->edk2_status = e->result.status;
  o->edk2_image_error = e->result.image_error;
  o->edk2_slack = e->slack_written;
  o->edk2_slack_at = e->slack_offset;
  o->edk2_record_overrun = e->record_overrun;
  o->edk2_signal = e->signal;
  o->edk2_fault_off = e->end == EDK2_FAULT ? (int64_t)(e->fault_addr - x) : 0;
  memcpy(o->edk2_report, e->report, sizeof(o->edk2_report));
  o->edk2_size = e->result.image_size;
  o->edk2_record_bytes = e->result.fixup_data_size;
}

bool diff_first(const uint8_t *a, const uint8_t *b, uint64_t n, uint64_t *at) {
  if (memcmp(a, b, n) == 0) return false;
  for (uint64_t i = 0; i < n; i++) {
    if (a[i] != b[i]) {
      *at = i;
      break;
    }
  }
  return true;
}

/* ---- facts the classes use ----------------------------------------------- */

static bool edk2_unsafe(const diff_outcome *o) {
  return o->edk2_end != EDK2_RAN || o->edk2_slack || o->edk2_record_overrun;
}
static bool edk2_ok(const diff_outcome *o) { return !edk2_unsafe(o) && o->edk2_step == EDK2REF_OK; }
static bool edk2_refused(const diff_outcome *o) { return !edk2_unsafe(o) && o->edk2_step != EDK2REF_OK; }
static bool ours_ok(const diff_outcome *o) { return o->ours_failed == DIFF_NONE; }
static bool ours_refused(const diff_outcome *o) {
  return o->ours_failed != DIFF_NONE && o->ours_failed != DIFF_SKIPPED;
}
static bool same_bytes(const diff_outcome *o) {
  return !o->sizes_differ && !o->image_diff && !o->record_diff && !o->image_base_diff;
}

/* ---- the classes ---------------------------------------------------------- */

/* (a) EDK II wrote past SizeOfImage or its record, faulted or tripped a
 * sanitizer on an input our library refuses. */
static bool a_edk2_unsafe_we_refuse(const diff_outcome *o) { return edk2_unsafe(o) && ours_refused(o); }

/* (b) After the runtime pass our header ImageBase names the new base;
 * EDK II's RelocateImageForRuntime leaves the load-time one. Everything
 * else identical. */
static bool b_runtime_image_base(const diff_outcome *o) {
  return ours_ok(o) && edk2_ok(o) && o->virt_base != 0 && !o->sizes_differ && !o->image_diff && !o->record_diff &&
         o->image_base_diff && o->ours_image_base == o->virt_base && o->edk2_image_base == o->x;
}

/* (b) Machines: EDK II's BasePeCoffLib built for X64 loads IA32, X64, EBC
 * and AArch64 images only (BasePeCoffLib.inf [Sources.X64]); ours loads the
 * ARM, RISC-V and LoongArch images of docs/pecoff.md §1 as well. */
static bool b_machine_not_in_edk2_x64(const diff_outcome *o) {
  bool other = o->machine == 0x1C0 || o->machine == 0x1C2 || o->machine == 0x1C4 || o->machine == 0x5064 ||
               o->machine == 0x6264;
  return other && !ours_refused(o) && edk2_refused(o) && o->edk2_step == EDK2REF_INFO &&
         o->edk2_status == 0x8000000000000003ull;
}

/* (b) SizeOfOptionalHeader larger than NumberOfRvaAndSizes needs: ours
 * reads the directories NumberOfRvaAndSizes declares (PE/COFF §3.4: the
 * size is what the optional header occupies, the section table follows
 * it); EDK II demands exact equality. */
static bool b_optional_header_larger(const diff_outcome *o) {
  uint32_t need = (o->pe32plus ? 112u : 96u) + 8u * o->num_rva;
  return !o->te && o->opt_header_size > need && !ours_refused(o) && edk2_refused(o) &&
         o->edk2_step == EDK2REF_INFO && o->edk2_image_error == 11;
}

const diff_class diff_classes[] = {
  { "a-edk2-unsafe-we-refuse", 'a',
    "EDK II writes past SizeOfImage or its fixup record, faults or trips a sanitizer; we refuse the image",
    "docs/pecoff.md §2-§4 (every offset, size and link checked before use)", a_edk2_unsafe_we_refuse },
  { "b-runtime-image-base", 'b',
    "after the runtime pass our header ImageBase is the new base; EDK II leaves the load-time base",
    "docs/pecoff.md §6 (rp_pe_runtime_relocate: header ImageBase := new base)", b_runtime_image_base },
  { "b-machine-not-in-edk2-x64", 'b',
    "ARM, RISC-V or LoongArch image: EDK II's X64 build of BasePeCoffLib refuses the machine, ours loads it",
    "docs/pecoff.md §1 (Machines)", b_machine_not_in_edk2_x64 },
  { "b-optional-header-larger", 'b',
    "SizeOfOptionalHeader larger than NumberOfRvaAndSizes needs: EDK II demands equality, ours accepts",
    "docs/pecoff.md §1 (SizeOfOptionalHeader)", b_optional_header_larger },
};
const size_t diff_class_count = sizeof(diff_classes) / sizeof(diff_classes[0]);

/* ---- verdict ---------------------------------------------------------------- */

static bool agree(const diff_outcome *o) {
  if (o->ours_failed == DIFF_SKIPPED) return true; /* too large to compare here */
  if (ours_refused(o) && edk2_refused(o)) return true;
  return ours_ok(o) && edk2_ok(o) && same_bytes(o);
}

static const char *step_name(diff_step s) {
  static const char *const n[] = { "ok", "parse", "load", "relocate", "runtime", "skipped" };
  return n[s];
}

static const char *end_name(edk2_end e) {
  static const char *const n[] = { "ran", "fault", "sanitizer", "hang", "died" };
  return n[e];
}

void diff_describe(const diff_outcome *o, char *out, size_t cap) {
  const char *cls = o->cls >= 0 ? diff_classes[o->cls].id : agree(o) ? "agree" : "UNEXPLAINED";
  snprintf(out, cap,
           "pe_vs_edk2: class=%s ours=%s:%s findings=%s size=0x%llx edk2=%s:%d:0x%llx:err%u size=0x%llx "
           "slack=%d@0x%llx overrun=%d fault=%d@%lld base=%s image=%s@0x%llx record=%s@0x%llx records=%llu/%llu machine=0x%x te=%d "
           "pe32plus=%d v=0x%llx%s%s",
           cls, step_name(o->ours_failed), rp_reason_name(o->ours_reason), rp_reason_name(o->ours_findings),
           (unsigned long long)o->ours_size, end_name(o->edk2_end), o->edk2_step,
           (unsigned long long)o->edk2_status, o->edk2_image_error, (unsigned long long)o->edk2_size,
           o->edk2_slack, (unsigned long long)o->edk2_slack_at, o->edk2_record_overrun, o->edk2_signal, (long long)o->edk2_fault_off,
           o->image_base_diff ? "diff" : "same", o->sizes_differ ? "size" : o->image_diff ? "diff" : "same", (unsigned long long)o->image_diff_at,
           o->record_diff ? "diff" : "same", (unsigned long long)o->record_diff_at,
           (unsigned long long)o->ours_record_bytes, (unsigned long long)o->edk2_record_bytes, o->machine, o->te,
           o->pe32plus, (unsigned long long)o->virt_base, o->edk2_report[0] ? " report=" : "", o->edk2_report);
}

void diff_conclude(diff_outcome *o, const uint8_t *file, size_t len) {
  (void)file;
  (void)len;
  o->cls = -1;
  if (!agree(o)) {
    for (size_t i = 0; i < diff_class_count; i++) {
      if (diff_classes[i].match(o)) {
        o->cls = (int)i;
        break;
      }
    }
  }
  const char *print = getenv("RTPRM_DIFF_PRINT");
  bool explore = getenv("RTPRM_DIFF_EXPLORE") != NULL;
  bool unexplained = o->cls < 0 && !agree(o);
  if ((print && print[0] == '1') || (unexplained && explore)) {
    char line[768];
    diff_describe(o, line, sizeof(line));
    fprintf(stderr, "%s\n", line);
  }
  if (unexplained && !explore) {
    char line[768];
    diff_describe(o, line, sizeof(line));
    fprintf(stderr, "%s\n", line);
    RP_FUZZ_ASSERT(!"class (d): a divergence from EDK II no class explains");
  }
}
