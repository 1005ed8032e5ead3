/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmSampleContext.efi: a PRM module with three handlers.
 *   PrmSampleDebugConHello   checks its 'PRMC' context (signature, version
 *                            1 or Linux's 0, its own handler GUID) and
 *                            writes "PRM hello: ..." with its own address
 *                            and the verdicts on its context and its static
 *                            data buffer (shared with CheckStaticData) to
 *                            the QEMU debug console (port 0xE9) on x64;
 *                            and whether its own DIR64 fixup matches where
 *                            it runs (re-relocated for the OS's map);
 *                            EFI_SUCCESS only when the context is valid, the
 *                            static data, if any, is intact and the fixup
 *                            matches
 *   PrmSampleCheckContext    EFI_INVALID_PARAMETER without a context,
 *                            EFI_NOT_FOUND unless it is 'PRMC' for this
 *                            handler's GUID (version 1, or 0 as Linux sends)
 *   PrmSampleCheckStaticData EFI_NOT_FOUND unless the context carries a
 *                            'PRMS' static data buffer holding
 *                            RP_SAMPLE_STATIC_PAYLOAD (PrmConfigDxe's)
 */
#include "rtprm/guid.h"
#include "rtprm/prm_core.h"
#include "rtprm/fw/prm_module_author.h"

#include "prm_sample_guids.h"
#include "rtprm/fmt.h"
#include "rtprm/mem.h"

#define MODULE_GUID  RP_SAMPLE_CONTEXT_MODULE_GUID
#define HELLO_GUID   RP_SAMPLE_HELLO_GUID
#define CONTEXT_GUID RP_SAMPLE_CONTEXT_GUID
#define STATIC_GUID  RP_SAMPLE_STATIC_GUID

static void debugcon(const char *s) {
#if defined(__x86_64__)
  for (; *s; s++) __asm__ __volatile__("outb %0, %1" : : "a"(*s), "Nd"((unsigned short)0xE9));
#else
  (void)s;
#endif
}

static bool context_ok(const PRM_CONTEXT_BUFFER *c, const EFI_GUID *want) {
  EFI_GUID g = c->HandlerGuid;
  return EFI_ERROR(rp_prm_context_validate(rp_bytes_of(c, sizeof(*c)), RP_PRM_CONTEXT_ACCEPT_V0, NULL)) == 0 &&
         rp_guid_equal(&g, want);
}

/* EFI_SUCCESS: a 'PRMS' buffer holding the sample payload; EFI_NOT_FOUND:
 * none; EFI_COMPROMISED_DATA: a buffer with the wrong header or payload. */
static EFI_STATUS static_data_check(const PRM_CONTEXT_BUFFER *c) {
  const PRM_DATA_BUFFER *d = c->StaticDataBuffer;
  if (d == NULL) return EFI_NOT_FOUND;
  UINT32 len = d->Header.Length;
  if (EFI_ERROR(rp_prm_data_buffer_validate(rp_bytes_of(d, len), PRM_DATA_BUFFER_HEADER_SIGNATURE, NULL)) ||
      len < sizeof(PRM_DATA_BUFFER_HEADER) + sizeof(RP_SAMPLE_STATIC_PAYLOAD) ||
      rp_memcmp(d->Data, RP_SAMPLE_STATIC_PAYLOAD, sizeof(RP_SAMPLE_STATIC_PAYLOAD)) != 0)
    return EFI_COMPROMISED_DATA;
  return EFI_SUCCESS;
}

static const char *static_data_word(EFI_STATUS s) {
  return s == EFI_SUCCESS ? "ok (PRMS)" : s == EFI_NOT_FOUND ? "none" : "BAD";
}

/* The handler's own address as an absolute pointer in .data: a DIR64 fixup
 * the loader applied and SetVirtualAddressMap must re-apply for the OS's
 * virtual map. Non-static and volatile so clang keeps the stored pointer
 * (toolchain.md: -O2 folds static ones). Compared with the address the code
 * computes PC-relative, it tells whether this image was re-relocated. */
RP_PRM_HANDLER(PrmSampleDebugConHello);
void *volatile rp_sample_hello_fixup = (void *)&PrmSampleDebugConHello;

RP_PRM_HANDLER(PrmSampleDebugConHello) {
  static const EFI_GUID want = HELLO_GUID;
  char line[200], fix[40];
  uintptr_t self = (uintptr_t)&PrmSampleDebugConHello, stored = (uintptr_t)rp_sample_hello_fixup;
  (void)ParameterBuffer;
  bool ok = ContextBuffer != NULL && context_ok(ContextBuffer, &want);
  EFI_STATUS data = ok ? static_data_check(ContextBuffer) : EFI_NOT_FOUND;
  if (stored == self) rp_snprintf(fix, sizeof(fix), "ok");
  else rp_snprintf(fix, sizeof(fix), "STALE (0x%llx)", (unsigned long long)stored);
  rp_snprintf(line, sizeof(line), "PRM hello: handler at 0x%llx, context %s (PRMC v%u), static data %s, fixups %s\n",
              (unsigned long long)self, ok ? "ok" : "BAD", ContextBuffer != NULL ? (unsigned)ContextBuffer->Version : 0u,
              static_data_word(data), fix);
  debugcon(line);
  if (ContextBuffer == NULL) return EFI_INVALID_PARAMETER;
  if (!ok) return EFI_NOT_FOUND;
  if (stored != self) return EFI_LOAD_ERROR;
  return data == EFI_COMPROMISED_DATA ? data : EFI_SUCCESS;
}

RP_PRM_HANDLER(PrmSampleCheckContext) {
  static const EFI_GUID want = CONTEXT_GUID;
  (void)ParameterBuffer;
  if (ContextBuffer == NULL) return EFI_INVALID_PARAMETER;
  return context_ok(ContextBuffer, &want) ? EFI_SUCCESS : EFI_NOT_FOUND;
}

RP_PRM_HANDLER(PrmSampleCheckStaticData) {
  static const EFI_GUID want = STATIC_GUID;
  (void)ParameterBuffer;
  if (ContextBuffer == NULL || ContextBuffer->StaticDataBuffer == NULL) return EFI_INVALID_PARAMETER;
  if (!context_ok(ContextBuffer, &want)) return EFI_NOT_FOUND;
  return static_data_check(ContextBuffer);
}

RP_PRM_MODULE_EXPORT(RP_PRM_SAMPLE_PLATFORM_GUID, MODULE_GUID,
  RP_PRM_HANDLER_ENTRY(HELLO_GUID, PrmSampleDebugConHello),
  RP_PRM_HANDLER_ENTRY(CONTEXT_GUID, PrmSampleCheckContext),
  RP_PRM_HANDLER_ENTRY(STATIC_GUID, PrmSampleCheckStaticData));

RP_PRM_MODULE_ENTRY(PrmSampleEntry)
