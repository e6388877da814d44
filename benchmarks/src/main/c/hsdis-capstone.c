/*
 * A disassembler plugin for HotSpot's PrintAssembly (and so for JMH's -prof perfasm), over the
 * Capstone library that Debian ships (libcapstone-dev). JDK builds do not include one; without
 * it perfasm shows addresses instead of instructions. Built by benchmarks/profile-jmh.sh.
 *
 * HotSpot finds the library by name (hsdis-amd64.so) on LD_LIBRARY_PATH and calls
 * decode_instructions_virtual for each range of code it prints: this prints one instruction per
 * call of printf_callback, between the "insn" events HotSpot uses to place its annotations.
 */
#include <stdint.h>
#include <stdio.h>
#include <capstone/capstone.h>

typedef void *(*event_callback)(void *stream, const char *event, void *argument);
typedef int (*printf_callback)(void *stream, const char *format, ...);

static void *no_event(void *stream, const char *event, void *argument) {
    return NULL;
}

void *decode_instructions_virtual(uintptr_t start, uintptr_t end, unsigned char *code, uintptr_t length,
                                  event_callback on_event, void *event_stream,
                                  printf_callback print, void *print_stream,
                                  const char *options, int newline) {
    csh handle;
    cs_insn *instructions;
    if (print == NULL) {
        print = (printf_callback) fprintf;
        if (print_stream == NULL) {
            print_stream = stdout;
        }
    }
    if (on_event == NULL) {
        on_event = no_event;
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
        print(print_stream, "capstone did not open");
        return NULL;
    }
    cs_option(handle, CS_OPT_SKIPDATA, CS_OPT_ON); /* data between code: skip it, keep going */
    size_t count = cs_disasm(handle, code, length, start, 0, &instructions);
    for (size_t i = 0; i < count; i++) {
        on_event(event_stream, "insn", (void *) instructions[i].address);
        print(print_stream, "%s\t%s", instructions[i].mnemonic, instructions[i].op_str);
        on_event(event_stream, "/insn", (void *) (instructions[i].address + instructions[i].size));
        if (newline) {
            print(print_stream, "\n");
        }
    }
    if (count > 0) {
        cs_free(instructions, count);
    }
    cs_close(&handle);
    return NULL;
}
