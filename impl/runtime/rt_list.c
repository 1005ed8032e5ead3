/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Hardened walk of the ImageHead / EventHead lists (PI Vol 2 §12.8). The
 * nodes were written by the DXE core and drivers; the walk trusts none of
 * them: every node is checked before its ForwardLink is read, and the walk
 * is bounded. Checking BackLink == previous node is the same test as
 * node->BackLink->ForwardLink == node (we arrived through that ForwardLink)
 * without dereferencing an unchecked BackLink; with it, no cycle can avoid
 * the head, so RT_LIST_CYCLE is the classification of a failed back-link
 * test whose node was already visited.
 */
#include "rt_internal.h"

#include "rtprm/overflow.h"

static uint64_t list_index(const rt_list *l, uint64_t pos) { return rp_rt_entry_index(l->id, pos); }

/* The node may be read: not NULL, aligned, whole entry in runtime data. */
static EFI_STATUS check_node(const rt_list *l, const rp_memmap *m, const EFI_LIST_ENTRY *node, uint64_t pos,
                             rp_diag *diag) {
  uintptr_t a = (uintptr_t)node;
  uint64_t last;
  if (node == NULL) RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_NULL_LINK, list_index(l, pos));
  if (a % sizeof(UINTN) != 0) RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_UNALIGNED, list_index(l, pos));
  if (a < l->link_off || !rp_add_u64((uint64_t)(a - l->link_off), l->entry_size - 1, &last) ||
      !rt_range_in(m, (uint64_t)(a - l->link_off), last, EfiRuntimeServicesData))
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_NOT_RUNTIME_DATA, list_index(l, pos));
  return EFI_SUCCESS;
}

/* Was node one of the first n nodes (all of which passed check_node)? */
static bool visited(const rt_list *l, const EFI_LIST_ENTRY *node, uint64_t n) {
  const EFI_LIST_ENTRY *cur = l->head->ForwardLink;
  for (uint64_t i = 0; i < n; i++, cur = cur->ForwardLink) {
    if (cur == node) return true;
  }
  return false;
}

EFI_STATUS rt_list_walk(const rt_list *l, const rp_memmap *m, rt_visit_fn fn, void *ctx, uint64_t *count,
                        rp_diag *diag) {
  const EFI_LIST_ENTRY *prev = l->head, *cur = l->head->ForwardLink;
  uint64_t pos = 0;
  EFI_STATUS st;
  while (cur != l->head) {
    if (pos >= RP_RT_MAX_LIST_ENTRIES) RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_TOO_LONG, list_index(l, pos));
    st = check_node(l, m, cur, pos, diag);
    if (EFI_ERROR(st)) return st;
    if (cur->BackLink != prev) {
      if (visited(l, cur, pos)) RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_CYCLE, list_index(l, pos));
      RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_BACKLINK, list_index(l, pos));
    }
    if (fn != NULL) {
      st = fn(ctx, (uint8_t *)(uintptr_t)cur - l->link_off, pos, diag);
      if (EFI_ERROR(st)) return st;
    }
    prev = cur;
    cur = cur->ForwardLink;
    pos++;
  }
  if (l->head->BackLink != prev) RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_TAIL, list_index(l, pos));
  if (count != NULL) *count = pos;
  return EFI_SUCCESS;
}
