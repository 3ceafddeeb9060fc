#ifndef CBOUNDEDREGEX_H
#define CBOUNDEDREGEX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled RE2 pattern. RE2 matches in time linear in the text's length (no backtracking), so a
/// pattern from a plan cannot make matching hang on a node's output.
typedef struct planrun_regex planrun_regex;

/// Compiles `pattern` (UTF-8, `length` bytes). On failure returns NULL and writes RE2's reason, cut to
/// `error_capacity - 1` bytes and NUL-terminated, into `error` (when `error_capacity` > 0).
planrun_regex *planrun_regex_compile(const char *pattern, size_t length, char *error, size_t error_capacity);

void planrun_regex_free(planrun_regex *regex);

/// The number of capturing groups in the pattern.
int planrun_regex_group_count(const planrun_regex *regex);

/// Searches `text` for the leftmost match. Returns 1 on a match and 0 otherwise. On a match, `starts`
/// and `ends` (each `slots` long) receive the byte offsets of the whole match (slot 0) and of groups
/// 1 … slots-1; a group that did not take part gets -1 in both.
/// With `starts` or `ends` NULL only whether there is a match is found (faster). `text` may be NULL when
/// `length` is 0.
int planrun_regex_search(
    const planrun_regex *regex, const char *text, size_t length, ptrdiff_t *starts, ptrdiff_t *ends, int slots);

#ifdef __cplusplus
}
#endif

#endif
