// Files replaced atomically: written to PATH.tmp, flushed to disk (fsync), renamed over PATH, the folder fsynced.
// A crash at any moment leaves PATH absent, the previous version or the new one, never a part of one (a stale
// PATH.tmp may remain; the next write replaces it). Not a file format: callers choose the bytes.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace cnn {

/// Writes PATH atomically with what `write` puts into the stream; errors start with `who` and name the path.
/// Usage: write_file_atomic("run/metrics.json", [&](std::ostream& out) { out << doc.dump(2); }, "metrics");
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write,
                       std::string_view who);

/// Writes `bytes` to PATH atomically. Usage: write_file_atomic("run/report.html", html, "report");
void write_file_atomic(const std::string& path, std::string_view bytes, std::string_view who);

/// fsync of a file (errors throw) or of a folder (best effort: some file systems refuse it).
void fsync_path(const std::string& path, bool directory, std::string_view who);

}  // namespace cnn
