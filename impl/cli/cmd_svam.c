/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rtprm svam simulate SCENARIO.json [--json]
 *
 * Runs the host DXE-core model (impl/sim, runtime.md §1.3) with
 * the runtime core as the provider: loads the scenario's runtime images
 * (real PE files; the model places them one after another in its runtime
 * code region, so "load addresses" are the model's), creates its events,
 * installs the protocol (template lists moved), ExitBootServices, then the
 * OS assigns per-region deltas, applies the scenario's corruptions and calls
 * SetVirtualAddressMap. Success: the core's per-image counts, the events
 * signalled, every converted table pointer, and the model's own check that
 * every site and pointer moved exactly once. Rejection: exit 1 with the
 * reason, after checking that the model's state hash is unchanged.
 *
 * Scenario (docs/runtime.md "rtprm svam simulate"):
 *   { "memory": { "code_pages": N, "data_pages": N, "split_code": N,
 *                 "record_ebs_map": bool, "form": "linux" | "xen" },
 *     "images": [ "path relative to the scenario file", ... ],
 *     "events": [ { "kind": "type" | "group" | "runtime" } ... ],
 *     "corruptions": [ { "what": "omit_descriptor" | "unaligned_virtual" |
 *                        "image_backlink" | "image_record_null" |
 *                        "event_notify_null", "index": N } ... ] }
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_json.h"
#include "dxe_model.h"
#include "rtprm/host/platform_host.h"

#define SVAM_MAP_CAP 4096u

typedef struct sim {
  const char *file;
  bool json;
  dm_model m;
  bool record_ebs, xen;
  uint64_t before[RP_RT_FIELD_COUNT], after[RP_RT_FIELD_COUNT];
  rp_rt_image_result images[DM_MAX_IMAGES]; /* the core's per-image results (rp_rt_image_results) */
} sim;

/* In the order of the core's field indexes (rtprm/runtime.h RP_RT_FIELD_*). */
static const char *const field_names[RP_RT_FIELD_COUNT] = {
  "GetTime", "SetTime", "GetWakeupTime", "SetWakeupTime", "GetVariable", "GetNextVariableName", "SetVariable",
  "GetNextHighMonotonicCount", "ResetSystem", "UpdateCapsule", "QueryCapsuleCapabilities", "QueryVariableInfo",
  "FirmwareVendor", "ConfigurationTable", "RuntimeServices",
};

static void read_fields(const dm_model *m, uint64_t *out) {
  const EFI_RUNTIME_SERVICES *rs = m->rs;
  const void *p[RP_RT_FIELD_COUNT] = {
    (void *)rs->GetTime, (void *)rs->SetTime, (void *)rs->GetWakeupTime, (void *)rs->SetWakeupTime,
    (void *)rs->GetVariable, (void *)rs->GetNextVariableName, (void *)rs->SetVariable,
    (void *)rs->GetNextHighMonotonicCount, (void *)rs->ResetSystem, (void *)rs->UpdateCapsule,
    (void *)rs->QueryCapsuleCapabilities, (void *)rs->QueryVariableInfo, (const void *)m->st->FirmwareVendor,
    (void *)m->st->ConfigurationTable, (void *)m->st->RuntimeServices,
  };
  for (int i = 0; i < RP_RT_FIELD_COUNT; i++) out[i] = (uintptr_t)p[i];
}

static int bad_scenario(const sim *s, const char *why) {
  fprintf(stderr, "rtprm: %s: scenario: %s\n", s->file, why);
  return CLI_INVALID;
}

static uint64_t num_or(const jval *obj, const char *key, uint64_t dflt) {
  const jval *v = json_get(obj, key);
  return (v != NULL && v->type == J_NUM && v->n >= 0) ? (uint64_t)v->n : dflt;
}

static int load_images(sim *s, const jval *images) {
  char path[4096];
  const char *slash = strrchr(s->file, '/');
  int dirlen = slash ? (int)(slash - s->file + 1) : 0;
  for (size_t i = 0; images != NULL && i < images->nkids; i++) {
    const jval *v = &images->kids[i];
    if (v->type != J_STR) return bad_scenario(s, "images[] must be strings");
    if (v->s[0] == '/') snprintf(path, sizeof(path), "%s", v->s);
    else snprintf(path, sizeof(path), "%.*s%s", dirlen, s->file, v->s);
    EFI_STATUS st = dm_load_image_file(&s->m, path, NULL);
    if (EFI_ERROR(st)) {
      fprintf(stderr, "rtprm: %s: image %zu (%s) did not load: %s\n", s->file, i, path, rp_status_name(st));
      return CLI_INVALID;
    }
  }
  return CLI_OK;
}

static int create_events(sim *s, const jval *events) {
  static const EFI_GUID vac = RP_GUID_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE;
  for (size_t i = 0; events != NULL && i < events->nkids; i++) {
    const jval *k = json_get(&events->kids[i], "kind");
    EFI_STATUS st;
    if (k == NULL || k->type != J_STR) return bad_scenario(s, "events[] need a \"kind\"");
    if (strcmp(k->s, "type") == 0) st = dm_create_event(&s->m, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NULL, true, NULL);
    else if (strcmp(k->s, "group") == 0) st = dm_create_event(&s->m, EVT_NOTIFY_SIGNAL, &vac, true, NULL);
    else if (strcmp(k->s, "runtime") == 0) st = dm_create_event(&s->m, EVT_RUNTIME | EVT_NOTIFY_SIGNAL, NULL, false, NULL);
    else return bad_scenario(s, "event kind must be type, group or runtime");
    if (EFI_ERROR(st)) {
      fprintf(stderr, "rtprm: %s: event %zu: %s\n", s->file, i, rp_status_name(st));
      return CLI_INVALID;
    }
  }
  return CLI_OK;
}

static int corrupt_one(sim *s, const char *what, uint64_t idx) {
  dm_model *m = &s->m;
  if (strcmp(what, "omit_descriptor") == 0 || strcmp(what, "unaligned_virtual") == 0) {
    if (idx >= m->nd) return bad_scenario(s, "descriptor index out of range");
    if (what[0] == 'o') m->d[idx].omit = true;
    else m->d[idx].virt += 0x10;
  } else if (strncmp(what, "image_", 6) == 0) {
    if (idx >= m->n_img) return bad_scenario(s, "image index out of range");
    if (strcmp(what, "image_backlink") == 0) m->img[idx].entry->Link.BackLink = &m->img[idx].entry->Link;
    else if (strcmp(what, "image_record_null") == 0) m->img[idx].entry->RelocationData = NULL;
    else return bad_scenario(s, "unknown corruption");
  } else if (strcmp(what, "event_notify_null") == 0) {
    if (idx >= m->n_ev || m->ev[idx].entry == NULL) return bad_scenario(s, "event index out of range");
    m->ev[idx].entry->NotifyFunction = NULL;
  } else {
    return bad_scenario(s, "unknown corruption");
  }
  return CLI_OK;
}

static int apply_corruptions(sim *s, const jval *list) {
  for (size_t i = 0; list != NULL && i < list->nkids; i++) {
    const jval *w = json_get(&list->kids[i], "what");
    if (w == NULL || w->type != J_STR) return bad_scenario(s, "corruptions[] need a \"what\"");
    int rc = corrupt_one(s, w->s, num_or(&list->kids[i], "index", 0));
    if (rc != CLI_OK) return rc;
  }
  return CLI_OK;
}

static int build(sim *s, const jval *root) {
  const jval *mem = json_get(root, "memory");
  dm_config cfg = { num_or(mem, "code_pages", 0), num_or(mem, "data_pages", 0), 0, num_or(mem, "split_code", 0) };
  const jval *rec = json_get(mem, "record_ebs_map"), *form = json_get(mem, "form");
  s->record_ebs = rec != NULL && rec->type == J_BOOL && rec->b;
  s->xen = form != NULL && form->type == J_STR && strcmp(form->s, "xen") == 0;
  EFI_STATUS st = dm_init(&s->m, &cfg);
  if (EFI_ERROR(st)) return bad_scenario(s, "the model could not be set up (memory sizes)");
  int rc = load_images(s, json_get(root, "images"));
  if (rc == CLI_OK) rc = create_events(s, json_get(root, "events"));
  if (rc != CLI_OK) return rc;
  if (EFI_ERROR(dm_install_protocol(&s->m)) || EFI_ERROR(dm_exit_boot_services(&s->m, s->record_ebs)))
    return bad_scenario(s, "install/ExitBootServices failed in the model");
  dm_os_assign(&s->m, 0);
  return apply_corruptions(s, json_get(root, "corruptions"));
}

static const char *outcome_name(rp_rt_image_outcome o) {
  return o == RP_RT_IMAGE_RELOCATED ? "relocated" : o == RP_RT_IMAGE_SELF ? "self" : "failed";
}

/* One entry per ImageHead entry, from the core's result list. */
static void print_images(const sim *s) {
  const rp_rt_image_results *l = &s->m.rt->images;
  size_t n = l->count < l->cap ? l->count : l->cap;
  for (size_t i = 0; i < n; i++) {
    const rp_rt_image_result *r = &l->item[i];
    if (s->json) {
      printf("%s{\"index\": %llu, \"base\": \"0x%llx\", \"new_base\": \"0x%llx\", \"applied\": %llu, "
             "\"skipped\": %llu, \"outcome\": \"%s\", \"reason\": ",
             i ? ", " : "", (unsigned long long)r->index, (unsigned long long)r->old_base,
             (unsigned long long)r->new_base, (unsigned long long)r->applied, (unsigned long long)r->skipped,
             outcome_name(r->outcome));
      cli_json_string(r->reason == RP_R_NONE ? "" : rp_reason_name(r->reason));
      printf("}");
    } else {
      printf("  image %llu: 0x%llx -> 0x%llx: %llu applied, %llu skipped (%s%s%s)\n", (unsigned long long)r->index,
             (unsigned long long)r->old_base, (unsigned long long)r->new_base, (unsigned long long)r->applied,
             (unsigned long long)r->skipped, outcome_name(r->outcome), r->reason == RP_R_NONE ? "" : ": ",
             r->reason == RP_R_NONE ? "" : rp_reason_name(r->reason));
    }
  }
}

static void print_success(const sim *s, bool verified, const char *why) {
  const rp_rt_stats *t = &s->m.rt->stats;
  if (s->json) {
    printf("{\"scenario\": ");
    cli_json_string(s->file);
    printf(", \"status\": \"EFI_SUCCESS\", \"images\": [");
    print_images(s);
    printf("], \"images_relocated\": %llu, \"sites_applied\": %llu, \"sites_skipped\": %llu, "
           "\"events_signalled\": %llu, \"pointers_converted\": %llu, \"pointers\": {",
           (unsigned long long)t->images_relocated, (unsigned long long)t->sites_applied,
           (unsigned long long)t->sites_skipped, (unsigned long long)t->events_signalled,
           (unsigned long long)t->pointers_converted);
    for (int i = 0; i < RP_RT_FIELD_COUNT; i++)
      printf("%s\"%s\": [\"0x%llx\", \"0x%llx\"]", i ? ", " : "", field_names[i], (unsigned long long)s->before[i],
             (unsigned long long)s->after[i]);
    printf("}, \"verified\": %s}\n", verified ? "true" : "false");
    return;
  }
  printf("%s: SetVirtualAddressMap EFI_SUCCESS\n", s->file);
  print_images(s);
  printf("  images %llu relocated (applied %llu, skipped %llu), events %llu signalled, pointers %llu converted\n",
         (unsigned long long)t->images_relocated, (unsigned long long)t->sites_applied,
         (unsigned long long)t->sites_skipped, (unsigned long long)t->events_signalled,
         (unsigned long long)t->pointers_converted);
  for (int i = 0; i < RP_RT_FIELD_COUNT; i++)
    printf("  %-26s 0x%llx -> 0x%llx\n", field_names[i], (unsigned long long)s->before[i],
           (unsigned long long)s->after[i]);
  printf("  model check: %s%s\n", verified ? "every site and pointer moved exactly once" : "FAILED: ",
         verified ? "" : why);
}

static int run(sim *s) {
  static uint8_t vmap[SVAM_MAP_CAP];
  const size_t stride = 48;
  size_t size = dm_os_vmap(&s->m, vmap, sizeof(vmap), stride, s->xen);
  if (size == 0 && s->m.nd != 0) return bad_scenario(s, "virtual map does not fit");
  s->m.rt->images = (rp_rt_image_results){ s->images, DM_MAX_IMAGES, 0 };
  dm_snapshot_tables(&s->m);
  read_fields(&s->m, s->before);
  uint64_t h0 = dm_state_hash(&s->m);
  rp_diag d;
  rp_host_log_quiet(1); /* the results come from the API, not from the core's log lines */
  EFI_STATUS st = rp_rt_set_virtual_address_map(s->m.rt, size, stride, EFI_MEMORY_DESCRIPTOR_VERSION,
                                                 (const EFI_MEMORY_DESCRIPTOR *)vmap, &d);
  rp_host_log_quiet(0);
  if (EFI_ERROR(st)) {
    bool unchanged = dm_state_hash(&s->m) == h0;
    if (!unchanged) fprintf(stderr, "rtprm: %s: rejected but the state CHANGED\n", s->file);
    else fprintf(stderr, "rtprm: %s: rejected, state unchanged\n", s->file);
    int rc = cli_reject(st, &d, s->file);
    return unchanged ? rc : CLI_INVALID;
  }
  read_fields(&s->m, s->after);
  char why[256] = "";
  bool ok = dm_os_verify(&s->m, why, sizeof(why));
  print_success(s, ok, why);
  return ok ? CLI_OK : CLI_INVALID;
}

int cmd_svam(int argc, char **argv) {
  sim s;
  memset(&s, 0, sizeof(s));
  if (argc < 2 || strcmp(argv[1], "simulate") != 0) return cli_usage("svam: expected 'simulate'");
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) s.json = true;
    else if (argv[i][0] != '-' && s.file == NULL) s.file = argv[i];
    else return cli_usage("svam simulate: unexpected argument '%s'", argv[i]);
  }
  if (s.file == NULL) return cli_usage("svam simulate SCENARIO.json is required");
  uint8_t *data;
  size_t len;
  if (!cli_read_file(s.file, &data, &len)) return CLI_INVALID;
  char *text = malloc(len + 1);
  if (text == NULL) {
    free(data);
    return CLI_INVALID;
  }
  memcpy(text, data, len);
  text[len] = '\0';
  free(data);
  const char *err = NULL;
  size_t at = 0;
  jval *root = json_parse(text, &err, &at);
  free(text);
  int rc;
  if (root == NULL) {
    fprintf(stderr, "rtprm: %s: JSON: %s at byte %zu\n", s.file, err, at);
    rc = CLI_INVALID;
  } else {
    rc = build(&s, root);
    if (rc == CLI_OK) rc = run(&s);
    dm_destroy(&s.m);
    json_free(root);
  }
  return rc;
}
