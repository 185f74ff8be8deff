// Defines EMKIT_UNDER_SANITIZER when this test binary is built with
// AddressSanitizer or ThreadSanitizer. Those reserve terabytes of address
// space and keep freed memory in quarantine, so checks on address-space
// limits or resident memory describe the sanitizer, not emkit, and are
// skipped there.
#ifndef EMKIT_TESTS_UNDER_SANITIZER_H_
#define EMKIT_TESTS_UNDER_SANITIZER_H_

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EMKIT_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define EMKIT_UNDER_SANITIZER 1
#endif
#endif

#endif  // EMKIT_TESTS_UNDER_SANITIZER_H_
