/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Adopting the lists of an earlier Runtime AP provider (runtime.md §1.3).
 *
 * When a second EFI_RUNTIME_ARCH_PROTOCOL is installed, the EDK II DXE core
 * switches gRuntime to the new interface but moves only the entries of its
 * internal template (registrations made while no provider existed). Entries
 * already on the earlier provider's ImageHead/EventHead stay there, so the
 * new provider would never re-relocate those images nor signal those events.
 * rp_rt_adopt moves them: both old lists are walked with the hardened walk
 * first (against the live memory map, entries must lie in runtime-services
 * data), and only when both are sound are they spliced, in one step each,
 * in front of the provider's own entries (they were registered earlier, so
 * list order stays registration order). The nodes are moved, not copied:
 * the DXE core later unlinks an entry with RemoveEntryList on the node it
 * allocated, which works on whichever list holds it. The old heads are left
 * empty (pointing to themselves).
 */
#include "rt_internal.h"

static void splice_front(EFI_LIST_ENTRY *ours, EFI_LIST_ENTRY *old) {
  EFI_LIST_ENTRY *first = old->ForwardLink, *last = old->BackLink, *next = ours->ForwardLink;
  if (first == old) return; /* empty */
  ours->ForwardLink = first;
  first->BackLink = ours;
  last->ForwardLink = next;
  next->BackLink = last;
  old->ForwardLink = old;
  old->BackLink = old;
}

static EFI_STATUS check_head(const EFI_LIST_ENTRY *h, rp_diag *diag) {
  if (h->ForwardLink == NULL || h->BackLink == NULL)
    RP_REJECT(diag, EFI_VOLUME_CORRUPTED, RT_LIST_NULL_LINK, RP_DIAG_NO_INDEX);
  return EFI_SUCCESS;
}

EFI_STATUS rp_rt_adopt(rp_runtime *rt, EFI_RUNTIME_ARCH_PROTOCOL *old, const rp_memmap *live, rp_rt_adopted *out,
                       rp_diag *diag) {
  uint64_t ni = 0, ne = 0;
  EFI_STATUS st;
  if (rt == NULL || old == NULL || live == NULL || old == &rt->proto ||
      (uintptr_t)old % sizeof(UINTN) != 0)
    RP_REJECT(diag, EFI_INVALID_PARAMETER, NULL_ARGUMENT, RP_DIAG_NO_INDEX);
  rt_list il = { &old->ImageHead, sizeof(EFI_RUNTIME_IMAGE_ENTRY), offsetof(EFI_RUNTIME_IMAGE_ENTRY, Link),
                 RP_RT_LIST_IMAGES };
  rt_list el = { &old->EventHead, sizeof(EFI_RUNTIME_EVENT_ENTRY), offsetof(EFI_RUNTIME_EVENT_ENTRY, Link),
                 RP_RT_LIST_EVENTS };
  /* Our own lists must be sound too: a splice rewrites their first node. */
  rt_list oi = { &rt->proto.ImageHead, il.entry_size, il.link_off, RP_RT_LIST_IMAGES };
  rt_list oe = { &rt->proto.EventHead, el.entry_size, el.link_off, RP_RT_LIST_EVENTS };
  st = check_head(il.head, diag);
  if (!EFI_ERROR(st)) st = check_head(el.head, diag);
  if (!EFI_ERROR(st)) st = rt_list_walk(&il, live, NULL, NULL, &ni, diag);
  if (!EFI_ERROR(st)) st = rt_list_walk(&el, live, NULL, NULL, &ne, diag);
  if (!EFI_ERROR(st)) st = rt_list_walk(&oi, live, NULL, NULL, NULL, diag);
  if (!EFI_ERROR(st)) st = rt_list_walk(&oe, live, NULL, NULL, NULL, diag);
  if (EFI_ERROR(st)) return st;
  splice_front(&rt->proto.ImageHead, &old->ImageHead);
  splice_front(&rt->proto.EventHead, &old->EventHead);
  if (out != NULL) {
    out->images = ni;
    out->events = ne;
  }
  rp_diag_clear(diag);
  return EFI_SUCCESS;
}

void rp_rt_release(rp_runtime *rt, EFI_RUNTIME_ARCH_PROTOCOL *old) {
  if (rt == NULL || old == NULL || old == &rt->proto) return;
  if (old->ImageHead.ForwardLink != &old->ImageHead || old->EventHead.ForwardLink != &old->EventHead) return;
  splice_front(&old->ImageHead, &rt->proto.ImageHead);
  splice_front(&old->EventHead, &rt->proto.EventHead);
}
