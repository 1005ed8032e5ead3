/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Configuration of the sample modules (impl/fw/prm_samples/) on QEMU:
 *   PrmSampleContext  3 context buffers; DebugConHello (the handler the
 *                     SSDT calls under Linux) and CheckStaticData share a
 *                     'PRMS' buffer holding RP_SAMPLE_STATIC_PAYLOAD;
 *   PrmSampleMmio     2 context buffers; one MMIO page: the HPET at
 *                     0xFED00000 on x64 (q35; register 0 is the capabilities
 *                     ID), the PL031 RTC at 0x09010000 on AArch64 (-M virt;
 *                     register 0 is the counter); MmioRead gets a 4 KiB
 *                     ACPI parameter buffer it writes the value into.
 */
#include "prm_config_platform.h"

#include "../prm_samples/prm_sample_guids.h"

#if defined(__x86_64__)
#define SAMPLE_MMIO_BASE 0xFED00000ull
#else
#define SAMPLE_MMIO_BASE 0x09010000ull
#endif

static const rp_prm_cfg_module platform[] = {
  {
    .name = "PrmSampleContext",
    .module_guid = RP_SAMPLE_CONTEXT_MODULE_GUID,
    .handler_count = 3,
    .handlers = { RP_SAMPLE_HELLO_GUID, RP_SAMPLE_CONTEXT_GUID, RP_SAMPLE_STATIC_GUID },
    .static_handler_count = 2,
    .static_handlers = { RP_SAMPLE_HELLO_GUID, RP_SAMPLE_STATIC_GUID },
    .static_payload = RP_SAMPLE_STATIC_PAYLOAD,
    .static_payload_size = sizeof(RP_SAMPLE_STATIC_PAYLOAD),
  },
  {
    .name = "PrmSampleMmio",
    .module_guid = RP_SAMPLE_MMIO_MODULE_GUID,
    .handler_count = 2,
    .handlers = { RP_SAMPLE_MMIO_COUNT_GUID, RP_SAMPLE_MMIO_READ_GUID },
    .mmio_count = 1,
    .mmio_base = { SAMPLE_MMIO_BASE },
    .mmio_len = { 0x1000 },
    .param_handler = RP_SAMPLE_MMIO_READ_GUID,
    .param_size = 0x1000,
  },
};

const rp_prm_cfg_module *rp_prm_cfg_platform(uint32_t *count) {
  *count = (uint32_t)(sizeof(platform) / sizeof(platform[0]));
  return platform;
}
