/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PrmSampleContext.efi: a PRM module with three handlers.
 *   PrmSampleDebugConHello   writes "PRM hello\n" to the QEMU debug console
 *                            (port 0xE9) on x64; returns EFI_SUCCESS
 *   PrmSampleCheckContext    EFI_INVALID_PARAMETER without a context,
 *                            EFI_NOT_FOUND unless it is 'PRMC' for this
 *                            handler's GUID (version 1, or 0 as Linux sends)
 *   PrmSampleCheckStaticData EFI_NOT_FOUND unless the context carries a
 *                            'PRMS' static data buffer of >= 8 bytes
 */
#include "rtprm/guid.h"
#include "rtprm/prm_core.h"
#include "rtprm/prm_module_author.h"

#define MODULE_GUID  { 0x7d1e5c2a, 0x3b94, 0x4f61, { 0x9a, 0x0e, 0x52, 0xc4, 0x18, 0x6b, 0xd3, 0x01 } }
#define HELLO_GUID   { 0x1f0b3a6e, 0x2c7d, 0x4e85, { 0xb1, 0x49, 0x0d, 0x6a, 0x93, 0x27, 0xe5, 0x11 } }
#define CONTEXT_GUID { 0x5a9c6d04, 0x8e21, 0x47b3, { 0x86, 0x5f, 0x3c, 0x1d, 0x70, 0xa2, 0x94, 0x12 } }
#define STATIC_GUID  { 0xe3b27f19, 0x6d48, 0x4a0c, { 0x92, 0xd7, 0x41, 0x8e, 0x5b, 0x06, 0xc3, 0x13 } }

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

RP_PRM_HANDLER(PrmSampleDebugConHello) {
  (void)ParameterBuffer;
  (void)ContextBuffer;
  debugcon("PRM hello\n");
  return EFI_SUCCESS;
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
  const PRM_DATA_BUFFER *d = ContextBuffer->StaticDataBuffer;
  UINT32 len = d->Header.Length;
  if (EFI_ERROR(rp_prm_data_buffer_validate(rp_bytes_of(d, len), PRM_DATA_BUFFER_HEADER_SIGNATURE, NULL)))
    return EFI_NOT_FOUND;
  return EFI_SUCCESS;
}

RP_PRM_MODULE_EXPORT(RP_PRM_SAMPLE_PLATFORM_GUID, MODULE_GUID,
  RP_PRM_HANDLER_ENTRY(HELLO_GUID, PrmSampleDebugConHello),
  RP_PRM_HANDLER_ENTRY(CONTEXT_GUID, PrmSampleCheckContext),
  RP_PRM_HANDLER_ENTRY(STATIC_GUID, PrmSampleCheckStaticData));

RP_PRM_MODULE_ENTRY(PrmSampleEntry)
