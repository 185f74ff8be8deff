// The namespace of the hot kernels' functions (src/families/kernels/,
// compiled once per instruction set; docs/design.md, "Kernels and
// dispatch").
//
// The kernel headers declare their functions between
// EMKIT_KERNEL_NAMESPACE_BEGIN and EMKIT_KERNEL_NAMESPACE_END, inside
// emkit::internal, so one declaration serves both sides:
//
// - in a kernel translation unit (EMKIT_KERNEL_ISA defined by the build:
//   baseline, avx2, avx512 or native) they are that variant's own
//   functions, emkit::internal::<isa>::..., which call each other directly;
// - everywhere else they are the dispatching entry points, in the inline
//   namespace emkit::internal::dispatched (callers write internal::F), which
//   forward to the variant chosen for this processor
//   (src/families/kernel_dispatch.cc).
//
// Types shared by both sides (argument structs) stay outside, in
// emkit::internal itself.
#ifndef EMKIT_SRC_FAMILIES_KERNEL_NAMESPACE_H_
#define EMKIT_SRC_FAMILIES_KERNEL_NAMESPACE_H_

#ifdef EMKIT_KERNEL_ISA
#define EMKIT_KERNEL_NS EMKIT_KERNEL_ISA
#define EMKIT_KERNEL_NAMESPACE_BEGIN namespace EMKIT_KERNEL_ISA {
#else
#define EMKIT_KERNEL_NS dispatched
#define EMKIT_KERNEL_NAMESPACE_BEGIN inline namespace dispatched {
#endif
#define EMKIT_KERNEL_NAMESPACE_END }

#endif  // EMKIT_SRC_FAMILIES_KERNEL_NAMESPACE_H_
