/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * RtprmSbLoader.efi: a minimal boot loader for Secure Boot end-to-end
 * tests. With Secure Boot on, BDS starts only signed boot options (not even
 * the firmware's own Shell when it is not in db), so the drivers and the
 * kernel are loaded by this signed application instead, each through
 * gBS->LoadImage with a file device path: the firmware's image verification
 * (UEFI 2.10 §32.4 "UEFI Image Validation") judges every one, exactly as for
 * Driver#### options.
 *
 * \rtprm\load.txt on the device this image was loaded from, one item per
 * line (at most 4 KiB, ASCII):
 *   driver \PATH\TO\IMAGE.efi           LoadImage + StartImage
 *   kernel \PATH\TO\KERNEL.efi ARGS...  LoadImage, LoadOptions = ARGS, StartImage
 * Every step prints "RTPRM-SBL: ..." (ConOut; on x64 also port 0xE9). A
 * LoadImage that returns EFI_SECURITY_VIOLATION created a handle that must
 * not be started (UEFI §7.4.1): it is unloaded and reported as refused.
 */
#include "rtprm/fmt.h"
#include "rtprm/mem.h"
#include "rtprm/fw/platform_uefi.h"
#include "rtprm/status.h"

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

#define say rp_uefi_say

#define LIST_MAX  4096u
#define PATH_MAX_CHARS 160u
#define DP_MAX_NODES 64u
#define DP_MAX_BYTES 4096u

static EFI_BOOT_SERVICES *g_bs;
static EFI_HANDLE g_self;
static EFI_LOADED_IMAGE_PROTOCOL *g_li;

static EFI_STATUS protocol_of(EFI_HANDLE h, EFI_GUID g, void **iface) {
  *iface = NULL;
  return g_bs->HandleProtocol(h, &g, iface);
}

/* ASCII -> NUL-terminated UCS-2 in out (cap characters with the NUL). */
static bool ucs2(const char *s, size_t n, CHAR16 *out, size_t cap) {
  if (n + 1 > cap) return false;
  for (size_t i = 0; i < n; i++) out[i] = (CHAR16)(unsigned char)s[i];
  out[n] = 0;
  return true;
}

/* A NUL-terminated copy of s[0..n) for printing (our formatter has no
 * "%.*s"); longer text is cut. */
static const char *text(const char *s, size_t n, char *buf, size_t cap) {
  if (n >= cap) n = cap - 1;
  rp_memcpy(buf, s, n);
  buf[n] = '\0';
  return buf;
}

/* ---- \rtprm\load.txt ---------------------------------------------------- */

static EFI_STATUS read_list(char *buf, UINTN *len) {
  static const EFI_GUID sfs_guid = RP_GUID_SIMPLE_FILE_SYSTEM_PROTOCOL;
  static CHAR16 name[] = u"\\rtprm\\load.txt";
  EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
  EFI_FILE_PROTOCOL *root = NULL, *f = NULL;
  EFI_STATUS s = protocol_of(g_li->DeviceHandle, sfs_guid, (void **)&fs);
  if (!EFI_ERROR(s)) s = fs->OpenVolume(fs, &root);
  if (!EFI_ERROR(s)) s = root->Open(root, &f, name, EFI_FILE_MODE_READ, 0);
  *len = LIST_MAX - 1;
  if (!EFI_ERROR(s)) s = f->Read(f, len, buf);
  if (f != NULL) (void)f->Close(f);
  if (root != NULL) (void)root->Close(root);
  if (EFI_ERROR(s)) *len = 0;
  buf[*len] = '\0';
  return s;
}

/* ---- file device paths (§10.3.5.4) -------------------------------------- */

static UINTN node_len(const EFI_DEVICE_PATH_PROTOCOL *n) { return (UINTN)n->Length[0] | (UINTN)n->Length[1] << 8; }

/* Bytes of a device path before its end node; 0 when malformed (a node
 * shorter than its header, too many nodes or bytes). */
static UINTN dp_bytes(const EFI_DEVICE_PATH_PROTOCOL *dp) {
  UINTN total = 0;
  for (UINTN i = 0; i < DP_MAX_NODES; i++) {
    const EFI_DEVICE_PATH_PROTOCOL *n = (const EFI_DEVICE_PATH_PROTOCOL *)((const UINT8 *)dp + total);
    if (n->Type == RP_DP_TYPE_END && n->SubType == RP_DP_SUBTYPE_END_ALL) return total;
    if (node_len(n) < sizeof(*n) || node_len(n) > DP_MAX_BYTES - total) return 0;
    total += node_len(n);
  }
  return 0;
}

static void set_node(EFI_DEVICE_PATH_PROTOCOL *n, UINT8 type, UINT8 sub, UINTN len) {
  n->Type = type;
  n->SubType = sub;
  n->Length[0] = (UINT8)len;
  n->Length[1] = (UINT8)(len >> 8);
}

/* The device's path + a file path node + the end node, in pool memory. */
static EFI_STATUS file_path(const char *path, size_t n, EFI_DEVICE_PATH_PROTOCOL **out) {
  static const EFI_GUID dp_guid = RP_GUID_DEVICE_PATH_PROTOCOL;
  EFI_DEVICE_PATH_PROTOCOL *dev;
  UINT8 *buf = NULL;
  EFI_STATUS s = protocol_of(g_li->DeviceHandle, dp_guid, (void **)&dev);
  UINTN dev_len = EFI_ERROR(s) ? 0 : dp_bytes(dev), file_len = sizeof(*dev) + 2 * (n + 1);
  if (EFI_ERROR(s) || dev_len == 0 || n + 1 > PATH_MAX_CHARS) return EFI_ERROR(s) ? s : EFI_INVALID_PARAMETER;
  s = g_bs->AllocatePool(EfiBootServicesData, dev_len + file_len + sizeof(*dev), (void **)&buf);
  if (EFI_ERROR(s)) return s;
  rp_memcpy(buf, dev, dev_len);
  set_node((EFI_DEVICE_PATH_PROTOCOL *)(buf + dev_len), RP_DP_TYPE_MEDIA, RP_DP_SUBTYPE_FILE_PATH, file_len);
  CHAR16 name[PATH_MAX_CHARS];
  (void)ucs2(path, n, name, PATH_MAX_CHARS);
  rp_memcpy(buf + dev_len + sizeof(*dev), name, 2 * (n + 1));
  set_node((EFI_DEVICE_PATH_PROTOCOL *)(buf + dev_len + file_len), RP_DP_TYPE_END, RP_DP_SUBTYPE_END_ALL, sizeof(*dev));
  *out = (EFI_DEVICE_PATH_PROTOCOL *)buf;
  return EFI_SUCCESS;
}

/* ---- loading ------------------------------------------------------------- */

/* LoadImage by path. A refused image's handle is unloaded, never started. */
static EFI_STATUS load(const char *path, size_t n, EFI_HANDLE *h) {
  EFI_DEVICE_PATH_PROTOCOL *dp = NULL;
  EFI_STATUS s = file_path(path, n, &dp);
  *h = NULL;
  if (!EFI_ERROR(s)) s = g_bs->LoadImage(0, g_self, dp, NULL, 0, h);
  if (dp != NULL) (void)g_bs->FreePool(dp);
  if (s == EFI_SECURITY_VIOLATION && *h != NULL) (void)g_bs->UnloadImage(*h);
  if (EFI_ERROR(s)) *h = NULL;
  return s;
}

static void load_driver(const char *path, size_t n) {
  char name[PATH_MAX_CHARS];
  EFI_HANDLE h;
  EFI_STATUS s = load(path, n, &h);
  (void)text(path, n, name, sizeof(name));
  if (EFI_ERROR(s)) {
    say("RTPRM-SBL: driver %s: LoadImage %s%s\n", name, rp_status_name(s),
        s == EFI_SECURITY_VIOLATION || s == EFI_ACCESS_DENIED ? " (refused by the firmware's image verification)" : "");
    return;
  }
  s = g_bs->StartImage(h, NULL, NULL);
  say("RTPRM-SBL: driver %s: LoadImage EFI_SUCCESS, StartImage %s\n", name, rp_status_name(s));
}

static void start_kernel(const char *path, size_t n, const char *args, size_t an) {
  static const EFI_GUID li_guid = RP_GUID_LOADED_IMAGE_PROTOCOL;
  static CHAR16 options[LIST_MAX];
  char name[PATH_MAX_CHARS];
  EFI_LOADED_IMAGE_PROTOCOL *kli;
  EFI_HANDLE h;
  EFI_STATUS s = load(path, n, &h);
  (void)text(path, n, name, sizeof(name));
  if (!EFI_ERROR(s)) s = protocol_of(h, li_guid, (void **)&kli);
  if (!EFI_ERROR(s) && !ucs2(args, an, options, LIST_MAX)) s = EFI_BAD_BUFFER_SIZE;
  if (EFI_ERROR(s)) {
    say("RTPRM-SBL: kernel %s: %s\n", name, rp_status_name(s));
    return;
  }
  kli->LoadOptions = options;
  kli->LoadOptionsSize = (UINT32)(2 * (an + 1));
  say("RTPRM-SBL: kernel %s: LoadImage EFI_SUCCESS, starting\n", name);
  s = g_bs->StartImage(h, NULL, NULL);
  say("RTPRM-SBL: kernel %s returned %s\n", name, rp_status_name(s));
}

/* ---- the list --------------------------------------------------------- */

static size_t word_end(const char *s, size_t i, size_t end) {
  while (i < end && s[i] != ' ') i++;
  return i;
}

static void one_line(const char *s, size_t end) {
  size_t verb_end = word_end(s, 0, end), p = verb_end + 1, p_end, a;
  char line[PATH_MAX_CHARS];
  if (verb_end >= end) {
    if (end > 0) say("RTPRM-SBL: ignored line '%s'\n", text(s, end, line, sizeof(line)));
    return;
  }
  p_end = word_end(s, p, end);
  a = p_end < end ? p_end + 1 : end;
  if (verb_end == 6 && rp_memcmp(s, "driver", 6) == 0) load_driver(s + p, p_end - p);
  else if (verb_end == 6 && rp_memcmp(s, "kernel", 6) == 0) start_kernel(s + p, p_end - p, s + a, end - a);
  else say("RTPRM-SBL: ignored line '%s'\n", text(s, end, line, sizeof(line)));
}

static void run_list(const char *list, size_t len) {
  size_t start = 0;
  while (start < len) {
    size_t end = start;
    while (end < len && list[end] != '\n') end++;
    size_t line_end = end > start && list[end - 1] == '\r' ? end - 1 : end;
    one_line(list + start, line_end - start);
    start = end + 1;
  }
}

static void say_secure_boot(EFI_SYSTEM_TABLE *st) {
  static const EFI_GUID global = RP_GUID_GLOBAL_VARIABLE;
  static CHAR16 sb_name[] = u"SecureBoot", sm_name[] = u"SetupMode";
  UINT8 sb = 0xFF, sm = 0xFF;
  UINTN n = 1;
  EFI_GUID g = global;
  (void)st->RuntimeServices->GetVariable(sb_name, &g, NULL, &n, &sb);
  n = 1;
  (void)st->RuntimeServices->GetVariable(sm_name, &g, NULL, &n, &sm);
  say("RTPRM-SBL: SecureBoot=%d SetupMode=%d\n", sb == 0xFF ? -1 : sb, sm == 0xFF ? -1 : sm);
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
  static const EFI_GUID li_guid = RP_GUID_LOADED_IMAGE_PROTOCOL;
  static char list[LIST_MAX];
  UINTN len = 0;
  EFI_STATUS s = rp_uefi_platform_init(image, st);
  if (EFI_ERROR(s)) return s;
  g_bs = st->BootServices;
  g_self = image;
  say_secure_boot(st);
  s = protocol_of(image, li_guid, (void **)&g_li);
  if (!EFI_ERROR(s)) s = read_list(list, &len);
  if (EFI_ERROR(s)) {
    say("RTPRM-SBL: FAIL cannot read \\rtprm\\load.txt: %s\n", rp_status_name(s));
  } else {
    run_list(list, len);
    say("RTPRM-SBL: FAIL the list ended without starting a kernel\n");
    s = EFI_NOT_FOUND;
  }
  rp_uefi_platform_fini();
  return s;
}
