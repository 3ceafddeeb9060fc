#include "CBoundedRegex.h"

#include <re2/re2.h>

#include <cstring>
#include <new>
#include <vector>

struct planrun_regex {
    re2::RE2 re2;
    planrun_regex(re2::StringPiece pattern, const re2::RE2::Options &options) : re2(pattern, options) {}
};

planrun_regex *planrun_regex_compile(const char *pattern, size_t length, char *error, size_t error_capacity) {
    if (pattern == nullptr) pattern = "";
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto *regex = new (std::nothrow) planrun_regex(re2::StringPiece(pattern, length), options);
    if (regex == nullptr) {
        if (error_capacity > 0) std::strncpy(error, "out of memory", error_capacity - 1), error[error_capacity - 1] = 0;
        return nullptr;
    }
    if (!regex->re2.ok()) {
        if (error_capacity > 0) {
            const std::string &reason = regex->re2.error();
            size_t n = reason.size() < error_capacity - 1 ? reason.size() : error_capacity - 1;
            std::memcpy(error, reason.data(), n);
            error[n] = 0;
        }
        delete regex;
        return nullptr;
    }
    return regex;
}

void planrun_regex_free(planrun_regex *regex) { delete regex; }

int planrun_regex_group_count(const planrun_regex *regex) { return regex->re2.NumberOfCapturingGroups(); }

int planrun_regex_search(
    const planrun_regex *regex, const char *text, size_t length, ptrdiff_t *starts, ptrdiff_t *ends, int slots) {
    if (text == nullptr) text = "";
    re2::StringPiece input(text, length);
    if (starts == nullptr || ends == nullptr || slots < 1) {
        return regex->re2.Match(input, 0, length, re2::RE2::UNANCHORED, nullptr, 0) ? 1 : 0;
    }
    std::vector<re2::StringPiece> groups(static_cast<size_t>(slots));
    if (!regex->re2.Match(input, 0, length, re2::RE2::UNANCHORED, groups.data(), slots)) return 0;
    for (int i = 0; i < slots; i++) {
        if (groups[i].data() == nullptr) {
            starts[i] = -1;
            ends[i] = -1;
        } else {
            starts[i] = groups[i].data() - text;
            ends[i] = starts[i] + static_cast<ptrdiff_t>(groups[i].size());
        }
    }
    return 1;
}
