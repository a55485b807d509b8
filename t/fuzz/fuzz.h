#ifndef IMAPEEK_FUZZ_H
#define IMAPEEK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point every t/fuzz/fuzz-*.c defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
