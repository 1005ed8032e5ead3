/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * UEFI tables and the few protocols this project touches: the System Table
 * (UEFI 2.10 §4.3), Boot Services (§4.4), Runtime Services (§4.5), the
 * configuration table (§4.6), simple text I/O (§12.3, §12.4), the loaded
 * image protocol (§9.1), the device path header (§10.2) and the ACPI table
 * protocol (§20.1), plus the constants and GUIDs the runtime core and the
 * PRM loader need.
 *
 * Our own definitions from the spec's layouts. Every member is in spec order
 * and typed with its precise EFIAPI prototype, so a firmware build can call
 * the real tables and a host build can stand in a mock table.
 *
 * GUIDs are initializer macros (RP_GUID_*), never objects: use them as
 *   static const EFI_GUID g = RP_GUID_LOADED_IMAGE_PROTOCOL;
 */
#ifndef RTPRM_UEFI_TABLES_H
#define RTPRM_UEFI_TABLES_H

#include "rtprm/spec/uefi_base.h"

/* ---- Forward declarations -------------------------------------------- */
typedef struct _EFI_SYSTEM_TABLE                EFI_SYSTEM_TABLE;
typedef struct _EFI_BOOT_SERVICES               EFI_BOOT_SERVICES;
typedef struct _EFI_RUNTIME_SERVICES            EFI_RUNTIME_SERVICES;
typedef struct _EFI_SIMPLE_TEXT_INPUT_PROTOCOL  EFI_SIMPLE_TEXT_INPUT_PROTOCOL;
typedef struct _EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL;
typedef struct _EFI_ACPI_TABLE_PROTOCOL         EFI_ACPI_TABLE_PROTOCOL;

/* ---- Table signatures and revisions (§4.3-§4.5) ---------------------- */
/* The signatures are the ASCII names read as a little-endian UINT64. */
#define EFI_SYSTEM_TABLE_SIGNATURE     0x5453595320494249ULL /* "IBI SYST" */
#define EFI_BOOT_SERVICES_SIGNATURE    0x56524553544f4f42ULL /* "BOOTSERV" */
#define EFI_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ULL /* "RUNTSERV" */

#define EFI_SPECIFICATION_REVISION_MAKE(major, minor) \
  ((UINT32)(((UINT32)(major) << 16) | (UINT32)(minor)))
#define EFI_2_100_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION_MAKE(2, 100)
#define EFI_2_70_SYSTEM_TABLE_REVISION  EFI_SPECIFICATION_REVISION_MAKE(2, 70)
#define EFI_2_00_SYSTEM_TABLE_REVISION  EFI_SPECIFICATION_REVISION_MAKE(2, 0)
#define EFI_SYSTEM_TABLE_REVISION       EFI_2_100_SYSTEM_TABLE_REVISION
#define EFI_BOOT_SERVICES_REVISION      EFI_SYSTEM_TABLE_REVISION
#define EFI_RUNTIME_SERVICES_REVISION   EFI_SYSTEM_TABLE_REVISION

/* ---- Task priority levels (§7.1.8) ----------------------------------- */
#define TPL_APPLICATION ((EFI_TPL)4)
#define TPL_CALLBACK    ((EFI_TPL)8)
#define TPL_NOTIFY      ((EFI_TPL)16)
#define TPL_HIGH_LEVEL  ((EFI_TPL)31)

/* ---- Event types (§7.1.1 CreateEvent) -------------------------------- */
#define EVT_TIMER                         0x80000000u
#define EVT_RUNTIME                       0x40000000u
#define EVT_RUNTIME_CONTEXT               0x20000000u /* deprecated since UEFI 2.0 */
#define EVT_NOTIFY_WAIT                   0x00000100u
#define EVT_NOTIFY_SIGNAL                 0x00000200u
#define EVT_SIGNAL_EXIT_BOOT_SERVICES     0x00000201u
/* = EVT_RUNTIME | EVT_RUNTIME_CONTEXT | EVT_NOTIFY_SIGNAL | 0x2 */
#define EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE 0x60000202u

typedef VOID (EFIAPI *EFI_EVENT_NOTIFY)(EFI_EVENT Event, VOID *Context);

typedef enum {
  TimerCancel,
  TimerPeriodic,
  TimerRelative
} EFI_TIMER_DELAY;

/* ---- ConvertPointer disposition (§8.4.2) ----------------------------- */
/* A bit flag: "may be NULL". EDK II tests it with &, not ==. */
#define EFI_OPTIONAL_PTR 0x00000001u

/* ---- Enumerations used by boot services ------------------------------ */
typedef enum {
  AllocateAnyPages,
  AllocateMaxAddress,
  AllocateAddress,
  MaxAllocateType
} EFI_ALLOCATE_TYPE;

typedef enum {
  AllHandles,
  ByRegisterNotify,
  ByProtocol
} EFI_LOCATE_SEARCH_TYPE;

typedef enum {
  EFI_NATIVE_INTERFACE
} EFI_INTERFACE_TYPE;

typedef enum {
  EfiResetCold,
  EfiResetWarm,
  EfiResetShutdown,
  EfiResetPlatformSpecific
} EFI_RESET_TYPE;

/* OpenProtocol() Attributes (§7.3.9). */
#define EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL  0x00000001u
#define EFI_OPEN_PROTOCOL_GET_PROTOCOL        0x00000002u
#define EFI_OPEN_PROTOCOL_TEST_PROTOCOL       0x00000004u
#define EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER 0x00000008u
#define EFI_OPEN_PROTOCOL_BY_DRIVER           0x00000010u
#define EFI_OPEN_PROTOCOL_EXCLUSIVE           0x00000020u

typedef struct {
  EFI_HANDLE AgentHandle;
  EFI_HANDLE ControllerHandle;
  UINT32     Attributes;
  UINT32     OpenCount;
} EFI_OPEN_PROTOCOL_INFORMATION_ENTRY;

/* ---- Device path header (§10.2) -------------------------------------- */
/* Length is two bytes, little-endian, deliberately unaligned (UINT8[2]). */
typedef struct {
  UINT8 Type;
  UINT8 SubType;
  UINT8 Length[2];
} EFI_DEVICE_PATH_PROTOCOL;

#define RP_GUID_DEVICE_PATH_PROTOCOL \
  { 0x09576e91, 0x6d3f, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

/* ---- Time (§8.3) ------------------------------------------------------ */
typedef struct {
  UINT16 Year;       /* 1900..9999 */
  UINT8  Month;      /* 1..12 */
  UINT8  Day;        /* 1..31 */
  UINT8  Hour;       /* 0..23 */
  UINT8  Minute;     /* 0..59 */
  UINT8  Second;     /* 0..59 */
  UINT8  Pad1;
  UINT32 Nanosecond; /* 0..999,999,999 */
  INT16  TimeZone;   /* -1440..1440 or EFI_UNSPECIFIED_TIMEZONE */
  UINT8  Daylight;
  UINT8  Pad2;
} EFI_TIME;

#define EFI_TIME_ADJUST_DAYLIGHT 0x01u
#define EFI_TIME_IN_DAYLIGHT     0x02u
#define EFI_UNSPECIFIED_TIMEZONE 0x07FF

typedef struct {
  UINT32  Resolution;
  UINT32  Accuracy;
  BOOLEAN SetsToZero;
} EFI_TIME_CAPABILITIES;

/* ---- Capsules (§8.5.3) ----------------------------------------------- */
typedef struct {
  EFI_GUID CapsuleGuid;
  UINT32   HeaderSize;
  UINT32   Flags;
  UINT32   CapsuleImageSize;
} EFI_CAPSULE_HEADER;

/* ---- Variable attributes (§8.2) -------------------------------------- */
#define EFI_VARIABLE_NON_VOLATILE                          0x00000001u
#define EFI_VARIABLE_BOOTSERVICE_ACCESS                    0x00000002u
#define EFI_VARIABLE_RUNTIME_ACCESS                        0x00000004u
#define EFI_VARIABLE_HARDWARE_ERROR_RECORD                 0x00000008u
#define EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x00000020u
#define EFI_VARIABLE_APPEND_WRITE                          0x00000040u

/* ==== Runtime Services (§4.5, §8) ===================================== */
typedef EFI_STATUS (EFIAPI *EFI_GET_TIME)(EFI_TIME *Time,
                                          EFI_TIME_CAPABILITIES *Capabilities);
typedef EFI_STATUS (EFIAPI *EFI_SET_TIME)(EFI_TIME *Time);
typedef EFI_STATUS (EFIAPI *EFI_GET_WAKEUP_TIME)(BOOLEAN *Enabled, BOOLEAN *Pending,
                                                 EFI_TIME *Time);
typedef EFI_STATUS (EFIAPI *EFI_SET_WAKEUP_TIME)(BOOLEAN Enable, EFI_TIME *Time);
typedef EFI_STATUS (EFIAPI *EFI_SET_VIRTUAL_ADDRESS_MAP)(UINTN MemoryMapSize,
                                                         UINTN DescriptorSize,
                                                         UINT32 DescriptorVersion,
                                                         EFI_MEMORY_DESCRIPTOR *VirtualMap);
typedef EFI_STATUS (EFIAPI *EFI_CONVERT_POINTER)(UINTN DebugDisposition, VOID **Address);
typedef EFI_STATUS (EFIAPI *EFI_GET_VARIABLE)(CHAR16 *VariableName, EFI_GUID *VendorGuid,
                                              UINT32 *Attributes, UINTN *DataSize,
                                              VOID *Data);
typedef EFI_STATUS (EFIAPI *EFI_GET_NEXT_VARIABLE_NAME)(UINTN *VariableNameSize,
                                                        CHAR16 *VariableName,
                                                        EFI_GUID *VendorGuid);
typedef EFI_STATUS (EFIAPI *EFI_SET_VARIABLE)(CHAR16 *VariableName, EFI_GUID *VendorGuid,
                                              UINT32 Attributes, UINTN DataSize,
                                              VOID *Data);
typedef EFI_STATUS (EFIAPI *EFI_GET_NEXT_HIGH_MONO_COUNT)(UINT32 *HighCount);
typedef VOID (EFIAPI *EFI_RESET_SYSTEM)(EFI_RESET_TYPE ResetType, EFI_STATUS ResetStatus,
                                        UINTN DataSize, VOID *ResetData);
typedef EFI_STATUS (EFIAPI *EFI_UPDATE_CAPSULE)(EFI_CAPSULE_HEADER **CapsuleHeaderArray,
                                                UINTN CapsuleCount,
                                                EFI_PHYSICAL_ADDRESS ScatterGatherList);
typedef EFI_STATUS (EFIAPI *EFI_QUERY_CAPSULE_CAPABILITIES)(
    EFI_CAPSULE_HEADER **CapsuleHeaderArray, UINTN CapsuleCount,
    UINT64 *MaximumCapsuleSize, EFI_RESET_TYPE *ResetType);
typedef EFI_STATUS (EFIAPI *EFI_QUERY_VARIABLE_INFO)(UINT32 Attributes,
                                                     UINT64 *MaximumVariableStorageSize,
                                                     UINT64 *RemainingVariableStorageSize,
                                                     UINT64 *MaximumVariableSize);

struct _EFI_RUNTIME_SERVICES {
  EFI_TABLE_HEADER               Hdr;
  EFI_GET_TIME                   GetTime;
  EFI_SET_TIME                   SetTime;
  EFI_GET_WAKEUP_TIME            GetWakeupTime;
  EFI_SET_WAKEUP_TIME            SetWakeupTime;
  EFI_SET_VIRTUAL_ADDRESS_MAP    SetVirtualAddressMap;
  EFI_CONVERT_POINTER            ConvertPointer;
  EFI_GET_VARIABLE               GetVariable;
  EFI_GET_NEXT_VARIABLE_NAME     GetNextVariableName;
  EFI_SET_VARIABLE               SetVariable;
  EFI_GET_NEXT_HIGH_MONO_COUNT   GetNextHighMonotonicCount;
  EFI_RESET_SYSTEM               ResetSystem;
  EFI_UPDATE_CAPSULE             UpdateCapsule;
  EFI_QUERY_CAPSULE_CAPABILITIES QueryCapsuleCapabilities;
  EFI_QUERY_VARIABLE_INFO        QueryVariableInfo;
};

/* ==== Boot Services (§4.4, §7) ======================================== */
typedef EFI_TPL (EFIAPI *EFI_RAISE_TPL)(EFI_TPL NewTpl);
typedef VOID (EFIAPI *EFI_RESTORE_TPL)(EFI_TPL OldTpl);
typedef EFI_STATUS (EFIAPI *EFI_ALLOCATE_PAGES)(EFI_ALLOCATE_TYPE Type,
                                                EFI_MEMORY_TYPE MemoryType, UINTN Pages,
                                                EFI_PHYSICAL_ADDRESS *Memory);
typedef EFI_STATUS (EFIAPI *EFI_FREE_PAGES)(EFI_PHYSICAL_ADDRESS Memory, UINTN Pages);
typedef EFI_STATUS (EFIAPI *EFI_GET_MEMORY_MAP)(UINTN *MemoryMapSize,
                                                EFI_MEMORY_DESCRIPTOR *MemoryMap,
                                                UINTN *MapKey, UINTN *DescriptorSize,
                                                UINT32 *DescriptorVersion);
typedef EFI_STATUS (EFIAPI *EFI_ALLOCATE_POOL)(EFI_MEMORY_TYPE PoolType, UINTN Size,
                                               VOID **Buffer);
typedef EFI_STATUS (EFIAPI *EFI_FREE_POOL)(VOID *Buffer);
typedef EFI_STATUS (EFIAPI *EFI_CREATE_EVENT)(UINT32 Type, EFI_TPL NotifyTpl,
                                              EFI_EVENT_NOTIFY NotifyFunction,
                                              VOID *NotifyContext, EFI_EVENT *Event);
typedef EFI_STATUS (EFIAPI *EFI_SET_TIMER)(EFI_EVENT Event, EFI_TIMER_DELAY Type,
                                           UINT64 TriggerTime);
typedef EFI_STATUS (EFIAPI *EFI_WAIT_FOR_EVENT)(UINTN NumberOfEvents, EFI_EVENT *Event,
                                                UINTN *Index);
typedef EFI_STATUS (EFIAPI *EFI_SIGNAL_EVENT)(EFI_EVENT Event);
typedef EFI_STATUS (EFIAPI *EFI_CLOSE_EVENT)(EFI_EVENT Event);
typedef EFI_STATUS (EFIAPI *EFI_CHECK_EVENT)(EFI_EVENT Event);
typedef EFI_STATUS (EFIAPI *EFI_INSTALL_PROTOCOL_INTERFACE)(EFI_HANDLE *Handle,
                                                            EFI_GUID *Protocol,
                                                            EFI_INTERFACE_TYPE InterfaceType,
                                                            VOID *Interface);
typedef EFI_STATUS (EFIAPI *EFI_REINSTALL_PROTOCOL_INTERFACE)(EFI_HANDLE Handle,
                                                              EFI_GUID *Protocol,
                                                              VOID *OldInterface,
                                                              VOID *NewInterface);
typedef EFI_STATUS (EFIAPI *EFI_UNINSTALL_PROTOCOL_INTERFACE)(EFI_HANDLE Handle,
                                                              EFI_GUID *Protocol,
                                                              VOID *Interface);
typedef EFI_STATUS (EFIAPI *EFI_HANDLE_PROTOCOL)(EFI_HANDLE Handle, EFI_GUID *Protocol,
                                                 VOID **Interface);
typedef EFI_STATUS (EFIAPI *EFI_REGISTER_PROTOCOL_NOTIFY)(EFI_GUID *Protocol,
                                                          EFI_EVENT Event,
                                                          VOID **Registration);
typedef EFI_STATUS (EFIAPI *EFI_LOCATE_HANDLE)(EFI_LOCATE_SEARCH_TYPE SearchType,
                                               EFI_GUID *Protocol, VOID *SearchKey,
                                               UINTN *BufferSize, EFI_HANDLE *Buffer);
typedef EFI_STATUS (EFIAPI *EFI_LOCATE_DEVICE_PATH)(EFI_GUID *Protocol,
                                                    EFI_DEVICE_PATH_PROTOCOL **DevicePath,
                                                    EFI_HANDLE *Device);
typedef EFI_STATUS (EFIAPI *EFI_INSTALL_CONFIGURATION_TABLE)(EFI_GUID *Guid, VOID *Table);
typedef EFI_STATUS (EFIAPI *EFI_IMAGE_LOAD)(BOOLEAN BootPolicy,
                                            EFI_HANDLE ParentImageHandle,
                                            EFI_DEVICE_PATH_PROTOCOL *DevicePath,
                                            VOID *SourceBuffer, UINTN SourceSize,
                                            EFI_HANDLE *ImageHandle);
typedef EFI_STATUS (EFIAPI *EFI_IMAGE_START)(EFI_HANDLE ImageHandle, UINTN *ExitDataSize,
                                             CHAR16 **ExitData);
typedef EFI_STATUS (EFIAPI *EFI_EXIT)(EFI_HANDLE ImageHandle, EFI_STATUS ExitStatus,
                                      UINTN ExitDataSize, CHAR16 *ExitData);
typedef EFI_STATUS (EFIAPI *EFI_IMAGE_UNLOAD)(EFI_HANDLE ImageHandle);
typedef EFI_STATUS (EFIAPI *EFI_EXIT_BOOT_SERVICES)(EFI_HANDLE ImageHandle, UINTN MapKey);
typedef EFI_STATUS (EFIAPI *EFI_GET_NEXT_MONOTONIC_COUNT)(UINT64 *Count);
typedef EFI_STATUS (EFIAPI *EFI_STALL)(UINTN Microseconds);
typedef EFI_STATUS (EFIAPI *EFI_SET_WATCHDOG_TIMER)(UINTN Timeout, UINT64 WatchdogCode,
                                                    UINTN DataSize, CHAR16 *WatchdogData);
typedef EFI_STATUS (EFIAPI *EFI_CONNECT_CONTROLLER)(EFI_HANDLE ControllerHandle,
                                                    EFI_HANDLE *DriverImageHandle,
                                                    EFI_DEVICE_PATH_PROTOCOL *RemainingDevicePath,
                                                    BOOLEAN Recursive);
typedef EFI_STATUS (EFIAPI *EFI_DISCONNECT_CONTROLLER)(EFI_HANDLE ControllerHandle,
                                                       EFI_HANDLE DriverImageHandle,
                                                       EFI_HANDLE ChildHandle);
typedef EFI_STATUS (EFIAPI *EFI_OPEN_PROTOCOL)(EFI_HANDLE Handle, EFI_GUID *Protocol,
                                               VOID **Interface, EFI_HANDLE AgentHandle,
                                               EFI_HANDLE ControllerHandle,
                                               UINT32 Attributes);
typedef EFI_STATUS (EFIAPI *EFI_CLOSE_PROTOCOL)(EFI_HANDLE Handle, EFI_GUID *Protocol,
                                                EFI_HANDLE AgentHandle,
                                                EFI_HANDLE ControllerHandle);
typedef EFI_STATUS (EFIAPI *EFI_OPEN_PROTOCOL_INFORMATION)(
    EFI_HANDLE Handle, EFI_GUID *Protocol,
    EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **EntryBuffer, UINTN *EntryCount);
typedef EFI_STATUS (EFIAPI *EFI_PROTOCOLS_PER_HANDLE)(EFI_HANDLE Handle,
                                                      EFI_GUID ***ProtocolBuffer,
                                                      UINTN *ProtocolBufferCount);
typedef EFI_STATUS (EFIAPI *EFI_LOCATE_HANDLE_BUFFER)(EFI_LOCATE_SEARCH_TYPE SearchType,
                                                      EFI_GUID *Protocol, VOID *SearchKey,
                                                      UINTN *NoHandles, EFI_HANDLE **Buffer);
typedef EFI_STATUS (EFIAPI *EFI_LOCATE_PROTOCOL)(EFI_GUID *Protocol, VOID *Registration,
                                                 VOID **Interface);
/* Variadic: (GUID *, VOID *) pairs terminated by a NULL GUID pointer. On x64
 * the callee uses the Microsoft variadic convention. */
typedef EFI_STATUS (EFIAPI *EFI_INSTALL_MULTIPLE_PROTOCOL_INTERFACES)(EFI_HANDLE *Handle,
                                                                      ...);
typedef EFI_STATUS (EFIAPI *EFI_UNINSTALL_MULTIPLE_PROTOCOL_INTERFACES)(EFI_HANDLE Handle,
                                                                        ...);
typedef EFI_STATUS (EFIAPI *EFI_CALCULATE_CRC32)(VOID *Data, UINTN DataSize, UINT32 *Crc32);
typedef VOID (EFIAPI *EFI_COPY_MEM)(VOID *Destination, VOID *Source, UINTN Length);
typedef VOID (EFIAPI *EFI_SET_MEM)(VOID *Buffer, UINTN Size, UINT8 Value);
typedef EFI_STATUS (EFIAPI *EFI_CREATE_EVENT_EX)(UINT32 Type, EFI_TPL NotifyTpl,
                                                 EFI_EVENT_NOTIFY NotifyFunction,
                                                 const VOID *NotifyContext,
                                                 const EFI_GUID *EventGroup,
                                                 EFI_EVENT *Event);

struct _EFI_BOOT_SERVICES {
  EFI_TABLE_HEADER Hdr;
  /* Task priority */
  EFI_RAISE_TPL   RaiseTPL;
  EFI_RESTORE_TPL RestoreTPL;
  /* Memory */
  EFI_ALLOCATE_PAGES AllocatePages;
  EFI_FREE_PAGES     FreePages;
  EFI_GET_MEMORY_MAP GetMemoryMap;
  EFI_ALLOCATE_POOL  AllocatePool;
  EFI_FREE_POOL      FreePool;
  /* Events and timers */
  EFI_CREATE_EVENT   CreateEvent;
  EFI_SET_TIMER      SetTimer;
  EFI_WAIT_FOR_EVENT WaitForEvent;
  EFI_SIGNAL_EVENT   SignalEvent;
  EFI_CLOSE_EVENT    CloseEvent;
  EFI_CHECK_EVENT    CheckEvent;
  /* Protocol handlers */
  EFI_INSTALL_PROTOCOL_INTERFACE   InstallProtocolInterface;
  EFI_REINSTALL_PROTOCOL_INTERFACE ReinstallProtocolInterface;
  EFI_UNINSTALL_PROTOCOL_INTERFACE UninstallProtocolInterface;
  EFI_HANDLE_PROTOCOL              HandleProtocol;
  VOID                            *Reserved;
  EFI_REGISTER_PROTOCOL_NOTIFY     RegisterProtocolNotify;
  EFI_LOCATE_HANDLE                LocateHandle;
  EFI_LOCATE_DEVICE_PATH           LocateDevicePath;
  EFI_INSTALL_CONFIGURATION_TABLE  InstallConfigurationTable;
  /* Images */
  EFI_IMAGE_LOAD         LoadImage;
  EFI_IMAGE_START        StartImage;
  EFI_EXIT               Exit;
  EFI_IMAGE_UNLOAD       UnloadImage;
  EFI_EXIT_BOOT_SERVICES ExitBootServices;
  /* Miscellaneous */
  EFI_GET_NEXT_MONOTONIC_COUNT GetNextMonotonicCount;
  EFI_STALL                    Stall;
  EFI_SET_WATCHDOG_TIMER       SetWatchdogTimer;
  /* Driver support (EFI 1.1+) */
  EFI_CONNECT_CONTROLLER    ConnectController;
  EFI_DISCONNECT_CONTROLLER DisconnectController;
  /* Open and close protocol (EFI 1.1+) */
  EFI_OPEN_PROTOCOL             OpenProtocol;
  EFI_CLOSE_PROTOCOL            CloseProtocol;
  EFI_OPEN_PROTOCOL_INFORMATION OpenProtocolInformation;
  /* Library (EFI 1.1+) */
  EFI_PROTOCOLS_PER_HANDLE                   ProtocolsPerHandle;
  EFI_LOCATE_HANDLE_BUFFER                   LocateHandleBuffer;
  EFI_LOCATE_PROTOCOL                        LocateProtocol;
  EFI_INSTALL_MULTIPLE_PROTOCOL_INTERFACES   InstallMultipleProtocolInterfaces;
  EFI_UNINSTALL_MULTIPLE_PROTOCOL_INTERFACES UninstallMultipleProtocolInterfaces;
  /* 32-bit CRC (EFI 1.1+) */
  EFI_CALCULATE_CRC32 CalculateCrc32;
  /* Memory utilities (EFI 1.1+) */
  EFI_COPY_MEM CopyMem;
  EFI_SET_MEM  SetMem;
  /* UEFI 2.0 */
  EFI_CREATE_EVENT_EX CreateEventEx;
};

/* ==== Simple text input (§12.3) ======================================= */
typedef struct {
  UINT16 ScanCode;
  CHAR16 UnicodeChar;
} EFI_INPUT_KEY;

typedef EFI_STATUS (EFIAPI *EFI_INPUT_RESET)(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This,
                                             BOOLEAN ExtendedVerification);
typedef EFI_STATUS (EFIAPI *EFI_INPUT_READ_KEY)(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This,
                                                EFI_INPUT_KEY *Key);

struct _EFI_SIMPLE_TEXT_INPUT_PROTOCOL {
  EFI_INPUT_RESET    Reset;
  EFI_INPUT_READ_KEY ReadKeyStroke;
  EFI_EVENT          WaitForKey;
};

#define RP_GUID_SIMPLE_TEXT_INPUT_PROTOCOL \
  { 0x387477c1, 0x69c7, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

/* ==== Simple text output (§12.4) ====================================== */
typedef struct {
  INT32   MaxMode;
  INT32   Mode;
  INT32   Attribute;
  INT32   CursorColumn;
  INT32   CursorRow;
  BOOLEAN CursorVisible;
} SIMPLE_TEXT_OUTPUT_MODE;

typedef EFI_STATUS (EFIAPI *EFI_TEXT_RESET)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This,
                                            BOOLEAN ExtendedVerification);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_STRING)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This,
                                             CHAR16 *String);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_TEST_STRING)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This,
                                                  CHAR16 *String);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_QUERY_MODE)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This,
                                                 UINTN ModeNumber, UINTN *Columns,
                                                 UINTN *Rows);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_SET_MODE)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This,
                                               UINTN ModeNumber);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_SET_ATTRIBUTE)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This,
                                                    UINTN Attribute);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_CLEAR_SCREEN)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_SET_CURSOR_POSITION)(
    EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN Column, UINTN Row);
typedef EFI_STATUS (EFIAPI *EFI_TEXT_ENABLE_CURSOR)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This,
                                                    BOOLEAN Visible);

struct _EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL {
  EFI_TEXT_RESET               Reset;
  EFI_TEXT_STRING              OutputString;
  EFI_TEXT_TEST_STRING         TestString;
  EFI_TEXT_QUERY_MODE          QueryMode;
  EFI_TEXT_SET_MODE            SetMode;
  EFI_TEXT_SET_ATTRIBUTE       SetAttribute;
  EFI_TEXT_CLEAR_SCREEN        ClearScreen;
  EFI_TEXT_SET_CURSOR_POSITION SetCursorPosition;
  EFI_TEXT_ENABLE_CURSOR       EnableCursor;
  SIMPLE_TEXT_OUTPUT_MODE     *Mode;
};

#define RP_GUID_SIMPLE_TEXT_OUTPUT_PROTOCOL \
  { 0x387477c2, 0x69c7, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

/* ==== Configuration table (§4.6) ====================================== */
typedef struct {
  EFI_GUID VendorGuid;
  VOID    *VendorTable;
} EFI_CONFIGURATION_TABLE;

/* ==== System table (§4.3) ============================================= */
struct _EFI_SYSTEM_TABLE {
  EFI_TABLE_HEADER                 Hdr;
  CHAR16                          *FirmwareVendor;
  UINT32                           FirmwareRevision;
  EFI_HANDLE                       ConsoleInHandle;
  EFI_SIMPLE_TEXT_INPUT_PROTOCOL  *ConIn;
  EFI_HANDLE                       ConsoleOutHandle;
  EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *ConOut;
  EFI_HANDLE                       StandardErrorHandle;
  EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *StdErr;
  EFI_RUNTIME_SERVICES            *RuntimeServices;
  EFI_BOOT_SERVICES               *BootServices;
  UINTN                            NumberOfTableEntries;
  EFI_CONFIGURATION_TABLE         *ConfigurationTable;
};

/* Image entry point (§4.1). */
typedef EFI_STATUS (EFIAPI *EFI_IMAGE_ENTRY_POINT)(EFI_HANDLE ImageHandle,
                                                   EFI_SYSTEM_TABLE *SystemTable);

/* ==== Loaded image protocol (§9.1) ==================================== */
#define EFI_LOADED_IMAGE_PROTOCOL_REVISION 0x1000u

typedef struct {
  UINT32                    Revision;
  EFI_HANDLE                ParentHandle;
  EFI_SYSTEM_TABLE         *SystemTable;
  EFI_HANDLE                DeviceHandle;
  EFI_DEVICE_PATH_PROTOCOL *FilePath;
  VOID                     *Reserved;
  UINT32                    LoadOptionsSize;
  VOID                     *LoadOptions;
  VOID                     *ImageBase;
  UINT64                    ImageSize;
  EFI_MEMORY_TYPE           ImageCodeType;
  EFI_MEMORY_TYPE           ImageDataType;
  EFI_IMAGE_UNLOAD          Unload;
} EFI_LOADED_IMAGE_PROTOCOL;

#define RP_GUID_LOADED_IMAGE_PROTOCOL \
  { 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

/* ==== Simple file system and file protocols (§13.4, §13.5) ========== */
typedef struct EFI_FILE_PROTOCOL EFI_FILE_PROTOCOL;
typedef struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL EFI_SIMPLE_FILE_SYSTEM_PROTOCOL;

#define EFI_FILE_MODE_READ 0x0000000000000001ull

typedef EFI_STATUS (EFIAPI *EFI_FILE_OPEN)(EFI_FILE_PROTOCOL *This, EFI_FILE_PROTOCOL **NewHandle,
                                           CHAR16 *FileName, UINT64 OpenMode, UINT64 Attributes);
typedef EFI_STATUS (EFIAPI *EFI_FILE_CLOSE)(EFI_FILE_PROTOCOL *This);
typedef EFI_STATUS (EFIAPI *EFI_FILE_READ)(EFI_FILE_PROTOCOL *This, UINTN *BufferSize, VOID *Buffer);

/* Only the members used here are typed; the rest keep their slots. */
struct EFI_FILE_PROTOCOL {
  UINT64         Revision;
  EFI_FILE_OPEN  Open;
  EFI_FILE_CLOSE Close;
  VOID          *Delete;
  EFI_FILE_READ  Read;
  VOID          *Write, *GetPosition, *SetPosition, *GetInfo, *SetInfo, *Flush;
};

typedef EFI_STATUS (EFIAPI *EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_OPEN_VOLUME)(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *This,
                                                                       EFI_FILE_PROTOCOL **Root);
struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL {
  UINT64                                      Revision;
  EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_OPEN_VOLUME OpenVolume;
};

#define RP_GUID_SIMPLE_FILE_SYSTEM_PROTOCOL \
  { 0x964e5b22, 0x6459, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }
#define RP_GUID_GLOBAL_VARIABLE \
  { 0x8be4df61, 0x93ca, 0x11d2, { 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c } }

/* Device path node types used to name a file on a device (§10.3.5.4). */
#define RP_DP_TYPE_MEDIA        0x04u
#define RP_DP_SUBTYPE_FILE_PATH 0x04u
#define RP_DP_TYPE_END          0x7Fu
#define RP_DP_SUBTYPE_END_ALL   0xFFu

/* ==== ACPI table protocol (§20.1) ===================================== */
typedef EFI_STATUS (EFIAPI *EFI_ACPI_TABLE_INSTALL_ACPI_TABLE)(EFI_ACPI_TABLE_PROTOCOL *This,
                                                               VOID *AcpiTableBuffer,
                                                               UINTN AcpiTableBufferSize,
                                                               UINTN *TableKey);
typedef EFI_STATUS (EFIAPI *EFI_ACPI_TABLE_UNINSTALL_ACPI_TABLE)(EFI_ACPI_TABLE_PROTOCOL *This,
                                                                 UINTN TableKey);

struct _EFI_ACPI_TABLE_PROTOCOL {
  EFI_ACPI_TABLE_INSTALL_ACPI_TABLE   InstallAcpiTable;
  EFI_ACPI_TABLE_UNINSTALL_ACPI_TABLE UninstallAcpiTable;
};

#define RP_GUID_ACPI_TABLE_PROTOCOL \
  { 0xffe06bdd, 0x6107, 0x46a6, { 0x7b, 0xb2, 0x5a, 0x9c, 0x7e, 0xc5, 0x27, 0x5c } }

/* ==== Configuration tables published by the runtime core ============== */
/* EFI_RT_PROPERTIES_TABLE (§4.6.2, UEFI 2.8 errata A): which runtime
 * services still work after ExitBootServices. A service whose bit is clear
 * must still exist and return EFI_UNSUPPORTED. */
#define EFI_RT_PROPERTIES_TABLE_VERSION 0x1u

typedef struct {
  UINT16 Version;                  /* EFI_RT_PROPERTIES_TABLE_VERSION */
  UINT16 Length;                   /* 8: sizeof the table */
  UINT32 RuntimeServicesSupported; /* EFI_RT_SUPPORTED_* */
} EFI_RT_PROPERTIES_TABLE;

#define EFI_RT_SUPPORTED_GET_TIME                      0x0001u
#define EFI_RT_SUPPORTED_SET_TIME                      0x0002u
#define EFI_RT_SUPPORTED_GET_WAKEUP_TIME               0x0004u
#define EFI_RT_SUPPORTED_SET_WAKEUP_TIME               0x0008u
#define EFI_RT_SUPPORTED_GET_VARIABLE                  0x0010u
#define EFI_RT_SUPPORTED_GET_NEXT_VARIABLE_NAME        0x0020u
#define EFI_RT_SUPPORTED_SET_VARIABLE                  0x0040u
#define EFI_RT_SUPPORTED_SET_VIRTUAL_ADDRESS_MAP       0x0080u
#define EFI_RT_SUPPORTED_CONVERT_POINTER               0x0100u
#define EFI_RT_SUPPORTED_GET_NEXT_HIGH_MONOTONIC_COUNT 0x0200u
#define EFI_RT_SUPPORTED_RESET_SYSTEM                  0x0400u
#define EFI_RT_SUPPORTED_UPDATE_CAPSULE                0x0800u
#define EFI_RT_SUPPORTED_QUERY_CAPSULE_CAPABILITIES    0x1000u
#define EFI_RT_SUPPORTED_QUERY_VARIABLE_INFO           0x2000u

#define RP_GUID_RT_PROPERTIES_TABLE \
  { 0xeb66918a, 0x7eef, 0x402a, { 0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9 } }

/* EFI_MEMORY_ATTRIBUTES_TABLE (§4.6.4): a 16-byte header followed by
 * NumberOfEntries descriptors of DescriptorSize bytes each (stride by
 * DescriptorSize, never sizeof(EFI_MEMORY_DESCRIPTOR)). Version 1 named the
 * last field Reserved; version 2 (UEFI 2.10) calls it Flags. */
#define EFI_MEMORY_ATTRIBUTES_TABLE_VERSION_1 0x00000001u
#define EFI_MEMORY_ATTRIBUTES_TABLE_VERSION   0x00000002u
#define EFI_MEMORY_ATTRIBUTES_FLAGS_RT_FORWARD_CONTROL_FLOW_GUARD 0x00000001u

typedef struct {
  UINT32 Version;
  UINT32 NumberOfEntries;
  UINT32 DescriptorSize;
  UINT32 Flags;
  /* EFI_MEMORY_DESCRIPTOR Entry[NumberOfEntries] follows */
} EFI_MEMORY_ATTRIBUTES_TABLE;

/* dcfa911d-26eb-469f-a220-38b7dc461220 */
#define RP_GUID_MEMORY_ATTRIBUTES_TABLE \
  { 0xdcfa911d, 0x26eb, 0x469f, { 0xa2, 0x20, 0x38, 0xb7, 0xdc, 0x46, 0x12, 0x20 } }

/* ACPI 2.0+ RSDP configuration table (§4.6.1). */
#define RP_GUID_ACPI_20_TABLE \
  { 0x8868e871, 0xe4f1, 0x11d3, { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } }

/* ==== Event groups (§7.1.2 CreateEventEx; PI Vol 2 §5.1.2) ============ */
#define RP_GUID_EVENT_GROUP_EXIT_BOOT_SERVICES \
  { 0x27abf055, 0xb1b8, 0x4c26, { 0x80, 0x48, 0x74, 0x8f, 0x37, 0xba, 0xa2, 0xdf } }
#define RP_GUID_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE \
  { 0x13fa7698, 0xc831, 0x49c7, { 0x87, 0xea, 0x8f, 0x43, 0xfc, 0xc2, 0x51, 0x96 } }
#define RP_GUID_EVENT_GROUP_READY_TO_BOOT \
  { 0x7ce88fb3, 0x4bd7, 0x4679, { 0x87, 0xa8, 0xa8, 0xd8, 0xde, 0xe5, 0x0d, 0x2b } }
/* PI Vol 2 §5.1.2.1 (and UEFI 2.10 §7.1.2): End of DXE. */
#define RP_GUID_EVENT_GROUP_END_OF_DXE \
  { 0x02ce967a, 0xdd7e, 0x4ffc, { 0x9e, 0xe7, 0x81, 0x0c, 0xf0, 0x47, 0x08, 0x80 } }

#endif /* RTPRM_UEFI_TABLES_H */
