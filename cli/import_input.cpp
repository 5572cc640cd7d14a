#include "import_input.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"

namespace llmspell::cli {
namespace {

void check_size(std::size_t n, const std::string& name) {
  if (n > simdjson::SIMDJSON_MAXSIZE_BYTES)
    throw CliError(name +
                   " is larger than 4 GiB, the most one import reads: export per tenant "
                   "(--tenant) to split it");
}

}  // namespace

ImportInput::ImportInput(const std::string& path) {
  if (path == "-") {
    char chunk[1 << 16];
    for (;;) {
      ssize_t n = ::read(0, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        throw CliError(std::string("cannot read the standard input: ") + std::strerror(errno));
      if (n == 0) break;
      stdin_.append(chunk, static_cast<std::size_t>(n));
      check_size(stdin_.size(), "the standard input");
    }
    size_ = stdin_.size();
    stdin_.append(simdjson::SIMDJSON_PADDING, '\0');
    return;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CliError("cannot read " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw CliError("cannot read " + path + ": not a regular file");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  check_size(size_, path);
  // Anonymous zero pages reserve the padding past the end; the file is mapped over their start.
  long page = ::sysconf(_SC_PAGESIZE);
  map_size_ = (size_ + simdjson::SIMDJSON_PADDING + static_cast<std::size_t>(page) - 1) /
              static_cast<std::size_t>(page) * static_cast<std::size_t>(page);
  map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    ::close(fd);
    throw CliError("cannot map " + path + ": " + std::strerror(errno));
  }
  if (size_ > 0 && ::mmap(map_, size_, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
    int e = errno;
    ::close(fd);
    throw CliError("cannot map " + path + ": " + std::strerror(e));
  }
  ::close(fd);
  ::madvise(map_, size_, MADV_SEQUENTIAL);
}

ImportInput::~ImportInput() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

simdjson::padded_string_view ImportInput::view() const {
  if (map_ != nullptr)
    return simdjson::padded_string_view(static_cast<const char*>(map_), size_, map_size_);
  return simdjson::padded_string_view(stdin_.data(), size_, stdin_.size());
}

}  // namespace llmspell::cli
