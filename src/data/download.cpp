// download_file through libcurl (HTTP(S), file://): resume from a .part file, md5 check, atomic rename, and
// plain-spoken errors for an unreachable host. Not the table of datasets (sources.cpp) nor unpacking (tar.cpp).
#include <cnn/download.h>
#include <cnn/error.h>
#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace cnn {

namespace fs = std::filesystem;

namespace {

struct Transfer {
  CURL* curl = nullptr;
  std::FILE* out = nullptr;
  std::string part;
  int64_t resumed_from = 0;
  int64_t received = 0;
  bool checked_restart = false;
  const RemoteFile* file = nullptr;
  const DownloadOptions* options = nullptr;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->checked_restart) {
    t->checked_restart = true;
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    if (t->resumed_from > 0 && code == 200) {  // the server ignored the range: start the file again
      t->out = std::freopen(t->part.c_str(), "wb", t->out);
      if (t->out == nullptr) return 0;
      t->resumed_from = 0;
    }
  }
  const size_t n = std::fwrite(data, size, count, t->out);
  t->received += static_cast<int64_t>(n * size);
  return n * size;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->options->on_progress)
    t->options->on_progress(t->file->name, t->resumed_from + static_cast<int64_t>(now),
                            total > 0 ? t->resumed_from + static_cast<int64_t>(total) : 0);
  return 0;
}

std::string host_of(const std::string& url) {
  const size_t start = url.find("://");
  if (start == std::string::npos) return url;
  const size_t end = url.find('/', start + 3);
  return url.substr(start + 3, end == std::string::npos ? std::string::npos : end - start - 3);
}

[[noreturn]] void fail_transfer(CURLcode code, const char* detail, long http, const std::string& url,
                                const RemoteFile& file, const std::string& dir, const std::string& part) {
  const std::string what = detail[0] ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
      throw Error(fmt::format(
          "download: cannot reach {} for {} ({}): this machine looks offline\nHINT: fetch {} on a machine with "
          "internet access and copy it into {} (or point --mirror / $CNN_DATASET_MIRROR at a folder or server "
          "holding it, e.g. file:///path/to/files); a partial download in {} resumes next time",
          host_of(url), file.name, what, url, dir, fs::path(part).filename().string()));
    case CURLE_FILE_COULDNT_READ_FILE:
      throw Error(
          fmt::format("download: {} does not exist ({})\nHINT: the mirror folder must hold {} under that "
                      "exact name",
                      url, what, file.name));
    case CURLE_HTTP_RETURNED_ERROR:
      throw Error(
          fmt::format("download: {} answered HTTP {} for {}\nHINT: the address may have moved; download "
                      "the file by hand into {} or use --mirror",
                      host_of(url), http, url, dir));
    default:
      throw Error(
          fmt::format("download: {} failed: {}\nHINT: run the command again to resume; if it keeps "
                      "failing, download {} by hand into {}",
                      url, what, file.name, dir));
  }
}

}  // namespace

DownloadReport download_file(const RemoteFile& file, const std::string& dir, const DownloadOptions& options) {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::string mirror = options.mirror;
  if (mirror.empty())
    if (const char* env = std::getenv("CNN_DATASET_MIRROR")) mirror = env;
  while (!mirror.empty() && mirror.back() == '/') mirror.pop_back();
  const std::string url = mirror.empty() ? file.url : mirror + "/" + file.name;

  std::error_code ec;
  fs::create_directories(dir, ec);
  CNN_CHECK(!ec, "download: cannot create folder {} ({})\nHINT: pass a writable --data-dir", dir, ec.message());
  DownloadReport report{file.name, (fs::path(dir) / file.name).string()};
  if (fs::is_regular_file(report.path, ec) && md5_file(report.path) == file.md5) {
    report.skipped = true;
    report.bytes = static_cast<int64_t>(fs::file_size(report.path));
    return report;
  }

  Transfer t;
  t.part = report.path + ".part";
  t.resumed_from = fs::is_regular_file(t.part, ec) ? static_cast<int64_t>(fs::file_size(t.part)) : 0;
  t.file = &file;
  t.options = &options;
  t.out = std::fopen(t.part.c_str(), "ab");
  CNN_CHECK(t.out != nullptr, "download: cannot write {}\nHINT: pass a writable --data-dir", t.part);
  t.curl = curl_easy_init();
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(t.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(t.curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "cnnkit-download/0.1");
  curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout));
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);  // abort a transfer stalled for a minute
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_TIME, 60L);
  if (t.resumed_from > 0) curl_easy_setopt(t.curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(t.resumed_from));
  const CURLcode code = curl_easy_perform(t.curl);
  long http = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &http);
  curl_easy_cleanup(t.curl);
  const bool closed = t.out != nullptr && std::fclose(t.out) == 0;
  // A range starting at the end of a complete .part is "not satisfiable": the file is already whole.
  const bool already_whole = code == CURLE_HTTP_RETURNED_ERROR && http == 416 && t.resumed_from > 0;
  if (code != CURLE_OK && !already_whole) fail_transfer(code, detail, http, url, file, dir, t.part);
  CNN_CHECK(closed, "download: cannot finish writing {}\nHINT: is the disk full?", t.part);

  report.resumed_from = t.resumed_from;
  report.bytes = static_cast<int64_t>(fs::file_size(t.part));
  const std::string got = md5_file(t.part);
  if (got != file.md5) {
    fs::remove(t.part, ec);
    throw Error(fmt::format(
        "download: {} from {} has md5 {}, expected {} ({} bytes{})\nHINT: the file is damaged or not the official "
        "one; it was deleted, so running the command again downloads it afresh",
        file.name, url, got, file.md5, report.bytes,
        report.resumed_from > 0 ? fmt::format(", resumed after {} bytes", report.resumed_from) : ""));
  }
  fs::rename(t.part, report.path, ec);
  CNN_CHECK(!ec, "download: cannot rename {} to {} ({})\nHINT: check the folder's permissions", t.part, report.path,
            ec.message());
  return report;
}

}  // namespace cnn
