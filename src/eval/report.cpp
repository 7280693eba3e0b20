// Rendering and reading of eval results (report.hpp).
#include "eval/report.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>

#include "mbz/error.hpp"

namespace mbz::eval {

namespace {

const char* kModalities[] = {"text", "audio", "image"};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += static_cast<char>(c);
    else if (c < 0x20) o += fmt("\\u%04x", c);
    else o += static_cast<char>(c);
  }
  return o + "\"";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

double bpb(double bits, uint64_t bytes) { return bytes ? bits / static_cast<double>(bytes) : 0; }
double kbs(uint64_t bytes, double secs) { return secs > 0 ? static_cast<double>(bytes) / secs / 1000 : 0; }
std::string opt(const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : ""; }

template <class T>
void add(std::optional<T>& total, const std::optional<T>& v, bool first) {
  if (first) total = v;
  else if (!v) total.reset();
  else if (total) *total += *v;
}

// --share's fields: bits of the mixer alone, of the model alone, and the share.
std::string json_share(double bits, const std::optional<double>& mixer, const std::optional<double>& model) {
  std::string o;
  if (mixer) o += ",\"mixer_bits\":" + fmt("%.3f", *mixer);
  if (model) o += ",\"model_bits\":" + fmt("%.3f", *model);
  if (mixer) o += ",\"model_share\":" + fmt("%.6f", model_share(bits, mixer));
  return o;
}
std::string csv_share(double bits, const std::optional<double>& mixer, const std::optional<double>& model) {
  return "," + (mixer ? fmt("%.3f", *mixer) : "") + "," + (model ? fmt("%.3f", *model) : "") + "," +
         (mixer ? fmt("%.6f", model_share(bits, mixer)) : "");
}

// The optional sizes as extra JSON fields.
std::string json_sizes(const std::optional<uint64_t>& coded, const std::optional<uint64_t>& zstd,
                       const std::optional<uint64_t>& xz) {
  std::string o;
  if (coded) o += ",\"coded_bytes\":" + std::to_string(*coded);
  if (zstd) o += ",\"zstd_bytes\":" + std::to_string(*zstd);
  if (xz) o += ",\"xz_bytes\":" + std::to_string(*xz);
  return o;
}

void write_jsonl(std::ostream& out, const std::vector<FileRecord>& records) {
  for (const FileRecord& r : records) {
    if (!r.error.empty()) {
      out << "{\"path\":" << json_string(r.path) << ",\"error\":" << json_string(r.error) << "}\n";
      continue;
    }
    out << "{\"path\":" << json_string(r.path) << ",\"adapter\":" << json_string(r.adapter)
        << ",\"modality\":" << json_string(r.modality) << ",\"model\":" << json_string(r.model)
        << ",\"bytes\":" << r.bytes << ",\"bits\":" << fmt("%.3f", r.bits) << ",\"bpb\":" << fmt("%.6f", bpb(r.bits, r.bytes))
        << ",\"seconds\":" << fmt("%.3f", r.seconds) << json_sizes(r.coded_bytes, r.zstd_bytes, r.xz_bytes)
        << json_share(r.bits, r.mixer_bits, r.model_bits) << "}\n";
  }
  for (const Summary& s : summarize(records))
    out << "{\"summary\":" << json_string(s.name) << ",\"files\":" << s.files << ",\"bytes\":" << s.bytes
        << ",\"bits\":" << fmt("%.3f", s.bits) << ",\"bpb\":" << fmt("%.6f", bpb(s.bits, s.bytes))
        << ",\"seconds\":" << fmt("%.3f", s.seconds) << json_sizes(s.coded_bytes, s.zstd_bytes, s.xz_bytes)
        << json_share(s.bits, s.mixer_bits, s.model_bits) << "}\n";
}

void write_csv(std::ostream& out, const std::vector<FileRecord>& records) {
  out << "record,path,adapter,modality,model,bytes,bits,bpb,seconds,coded_bytes,zstd_bytes,xz_bytes,mixer_bits,"
         "model_bits,model_share,error\n";
  for (const FileRecord& r : records) {
    if (!r.error.empty()) {
      out << "skipped," << csv_field(r.path) << ",,,,,,,,,,,,,," << csv_field(r.error) << "\n";
      continue;
    }
    out << "file," << csv_field(r.path) << "," << r.adapter << "," << r.modality << "," << csv_field(r.model) << ","
        << r.bytes << "," << fmt("%.3f", r.bits) << "," << fmt("%.6f", bpb(r.bits, r.bytes)) << ","
        << fmt("%.3f", r.seconds) << "," << opt(r.coded_bytes) << "," << opt(r.zstd_bytes) << "," << opt(r.xz_bytes)
        << csv_share(r.bits, r.mixer_bits, r.model_bits) << ",\n";
  }
  for (const Summary& s : summarize(records))
    out << "summary," << s.name << ",,," << "," << s.bytes << "," << fmt("%.3f", s.bits) << ","
        << fmt("%.6f", bpb(s.bits, s.bytes)) << "," << fmt("%.3f", s.seconds) << "," << opt(s.coded_bytes) << ","
        << opt(s.zstd_bytes) << "," << opt(s.xz_bytes) << csv_share(s.bits, s.mixer_bits, s.model_bits) << ",\n";
}

void write_table(std::ostream& out, const std::vector<FileRecord>& records) {
  const auto summaries = summarize(records);
  const Summary& all = summaries.back();
  const bool coded = all.coded_bytes.has_value(), zstd = all.zstd_bytes.has_value(), xz = all.xz_bytes.has_value();
  const bool share = all.mixer_bits.has_value() && all.model_bits.has_value();
  size_t width = 12;
  for (const FileRecord& r : records) width = std::max(width, std::min<size_t>(r.path.size(), 60));
  const auto row = [&](const std::string& name, const std::string& kind, uint64_t bytes, double bits, double secs,
                       const std::optional<uint64_t>& c, const std::optional<uint64_t>& z, const std::optional<uint64_t>& x,
                       const std::optional<double>& mixer, const std::optional<double>& model) {
    std::string shown = name.size() > width ? "..." + name.substr(name.size() - width + 3) : name;
    char buf[512];
    std::snprintf(buf, sizeof buf, "%-*s  %-6s %12llu  %6.3f  %6.2f  %7.1f", static_cast<int>(width), shown.c_str(),
                  kind.c_str(), static_cast<unsigned long long>(bytes), bpb(bits, bytes),
                  bits > 0 ? 8.0 * static_cast<double>(bytes) / bits : 0.0, kbs(bytes, secs));
    out << buf;
    const auto col = [&](bool on, const std::optional<uint64_t>& v) {
      if (on) out << (v ? fmt("  %7.3f", bpb(8.0 * static_cast<double>(*v), bytes)) : std::string("        -"));
    };
    col(coded, c);
    col(zstd, z);
    col(xz, x);
    if (share)
      out << (mixer && model ? fmt("  %6.3f", bpb(*mixer, bytes)) + fmt("  %6.3f", bpb(*model, bytes)) +
                                   fmt("  %5.1f%%", 100.0 * model_share(bits, mixer))
                             : std::string("       -       -       -"));
    out << "\n";
  };
  char head[512];
  std::snprintf(head, sizeof head, "%-*s  %-6s %12s  %6s  %6s  %7s", static_cast<int>(width), "file", "kind", "bytes", "bpb",
                "ratio", "KB/s");
  out << head << (coded ? "  mbz-bpb" : "") << (zstd ? "  zstd-19" : "") << (xz ? "  xz-9e  " : "")
      << (share ? "   mixer   model   share" : "") << "\n";
  for (const FileRecord& r : records)
    if (r.error.empty())
      row(r.path, r.adapter, r.bytes, r.bits, r.seconds, r.coded_bytes, r.zstd_bytes, r.xz_bytes, r.mixer_bits, r.model_bits);
  out << std::string(width, '-') << "\n";
  for (const Summary& s : summaries)
    row(s.name + " (" + std::to_string(s.files) + (s.files == 1 ? " file)" : " files)"), "", s.bytes, s.bits, s.seconds,
        s.coded_bytes, s.zstd_bytes, s.xz_bytes, s.mixer_bits, s.model_bits);
  if (share)
    out << "bpb of the mixer alone (-m none), the model alone (--no-mix) and both (bpb);"
           " share: the mixer's bits that the model saves\n";
  if (zstd && all.zstd_bytes && all.bits > 0)
    out << fmt("mbz (ideal) vs zstd -19: %+.1f%% bits", 100.0 * (all.bits / (8.0 * static_cast<double>(*all.zstd_bytes)) - 1))
        << (xz && all.xz_bytes ? fmt(", vs xz -9e: %+.1f%%", 100.0 * (all.bits / (8.0 * static_cast<double>(*all.xz_bytes)) - 1)) : "")
        << "\n";
}

// ---- reading JSON lines (flat objects of strings and numbers, as written above) ----

struct FlatJson {
  std::map<std::string, std::string> strings;
  std::map<std::string, double> numbers;
};

FlatJson parse_flat_json(const std::string& line, const std::string& where) {
  FlatJson j;
  size_t i = 0;
  const auto fail = [&](const std::string& what) { return Error(ErrorCode::corrupt, where + ": " + what); };
  const auto skip_ws = [&] {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  };
  const auto read_string = [&] {
    if (i >= line.size() || line[i] != '"') throw fail("expected a string");
    std::string s;
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\') {
        s += line[i];
        continue;
      }
      if (++i >= line.size()) break;
      if (line[i] == 'u' && i + 4 < line.size()) {
        s += static_cast<char>(std::stoi(line.substr(i + 1, 4), nullptr, 16));
        i += 4;
      } else {
        s += line[i] == 'n' ? '\n' : line[i] == 't' ? '\t' : line[i];
      }
    }
    if (i >= line.size()) throw fail("unterminated string");
    ++i;
    return s;
  };
  skip_ws();
  if (i >= line.size() || line[i++] != '{') throw fail("expected '{'");
  for (;;) {
    skip_ws();
    if (i < line.size() && line[i] == '}') break;
    const std::string key = read_string();
    skip_ws();
    if (i >= line.size() || line[i++] != ':') throw fail("expected ':'");
    skip_ws();
    if (i < line.size() && line[i] == '"') {
      j.strings[key] = read_string();
    } else {
      size_t used = 0;
      try {
        j.numbers[key] = std::stod(line.substr(i), &used);
      } catch (const std::exception&) {
        throw fail("bad value of " + key);
      }
      i += used;
    }
    skip_ws();
    if (i < line.size() && line[i] == ',') ++i;
    else if (i < line.size() && line[i] == '}') break;
    else throw fail("expected ',' or '}'");
  }
  return j;
}

}  // namespace

namespace {
void accumulate(Summary& total, const Summary& part) {
  const bool first = total.files == 0;
  total.files += part.files;
  total.bytes += part.bytes;
  total.bits += part.bits;
  total.seconds += part.seconds;
  add(total.coded_bytes, part.coded_bytes, first);
  add(total.zstd_bytes, part.zstd_bytes, first);
  add(total.xz_bytes, part.xz_bytes, first);
  add(total.mixer_bits, part.mixer_bits, first);
  add(total.model_bits, part.model_bits, first);
}
}  // namespace

std::vector<Summary> summarize(const std::vector<FileRecord>& records) {
  std::vector<Summary> out;
  Summary all;
  all.name = "all";
  for (const char* m : kModalities) {
    Summary s;
    s.name = m;
    for (const FileRecord& r : records)
      if (r.error.empty() && r.modality == m)
        accumulate(s, Summary{m, 1, r.bytes, r.bits, r.seconds, r.coded_bytes, r.zstd_bytes, r.xz_bytes, r.mixer_bits,
                              r.model_bits});
    if (s.files == 0) continue;
    accumulate(all, s);
    out.push_back(s);
  }
  out.push_back(all);
  return out;
}

double model_share(double bits, const std::optional<double>& mixer_bits) {
  return mixer_bits && *mixer_bits > 0 ? 1.0 - bits / *mixer_bits : 0.0;
}

Format parse_format(const std::string& name) {
  if (name == "table") return Format::table;
  if (name == "jsonl") return Format::jsonl;
  if (name == "csv") return Format::csv;
  throw Error(ErrorCode::invalid_argument, "unknown format '" + name + "' (table, jsonl, csv)");
}

void write_report(std::ostream& out, Format f, const std::vector<FileRecord>& records) {
  switch (f) {
    case Format::table: write_table(out, records); break;
    case Format::jsonl: write_jsonl(out, records); break;
    case Format::csv: write_csv(out, records); break;
  }
}

std::vector<FileRecord> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::io, path + ": cannot read");
  std::vector<FileRecord> out;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const FlatJson j = parse_flat_json(line, path + ":" + std::to_string(n));
    if (j.strings.count("summary")) continue;
    if (!j.strings.count("path")) throw Error(ErrorCode::corrupt, path + ":" + std::to_string(n) + ": a record without a path");
    FileRecord r;
    r.path = j.strings.at("path");
    const auto str = [&](const char* k) { return j.strings.count(k) ? j.strings.at(k) : std::string(); };
    const auto num = [&](const char* k) -> std::optional<uint64_t> {
      if (!j.numbers.count(k)) return std::nullopt;
      return static_cast<uint64_t>(j.numbers.at(k));
    };
    r.error = str("error");
    r.adapter = str("adapter");
    r.modality = str("modality");
    r.model = str("model");
    r.bytes = num("bytes").value_or(0);
    r.bits = j.numbers.count("bits") ? j.numbers.at("bits") : 0;
    r.seconds = j.numbers.count("seconds") ? j.numbers.at("seconds") : 0;
    r.coded_bytes = num("coded_bytes");
    r.zstd_bytes = num("zstd_bytes");
    r.xz_bytes = num("xz_bytes");
    if (j.numbers.count("mixer_bits")) r.mixer_bits = j.numbers.at("mixer_bits");
    if (j.numbers.count("model_bits")) r.model_bits = j.numbers.at("model_bits");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mbz::eval
