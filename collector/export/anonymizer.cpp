// The anonymising pass over a profile: see anonymizer.h; the policy of each
// column is in text_column_policies() and docs/sharing.md.
#include "export/anonymizer.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "export/address_rewriter.h"
#include "export/args_anonymizer.h"
#include "export/ip_prefix_map.h"
#include "export/port_permutation.h"
#include "storage/sqlite_handle.h"

namespace lurk {

const std::vector<ColumnPolicy>& text_column_policies() {
  static const std::vector<ColumnPolicy> policies = {
      {"strings", "text", "exception, label and log text: text#ID; other names: addresses mapped"},
      {"sources", "path", "source-ID.EXT (--keep-text: the base name, addresses mapped)"},
      {"sources", "format", "kept: importer name"},
      {"sources", "content_hash", "keyed hash of the original digest"},
      {"sources", "status", "kept: lurk's word"},
      {"sources", "clock_domain", "kept: lurk's word"},
      {"sources", "clock_how", "kept: lurk's word"},
      {"sources", "clock_evidence", "lurk's sentence: addresses mapped, source names replaced"},
      {"ingest_errors", "kind", "kept: lurk's word"},
      {"ingest_errors", "message", "error#ID (may quote input); --keep-text: addresses mapped"},
      {"connections", "addr_a", "mapped, prefix-preserving"},
      {"connections", "addr_b", "mapped, prefix-preserving"},
      {"connections", "state", "kept: lurk's word"},
      {"connections", "flags_json", "kept: analysis flag counts"},
      {"comments", "scope", "kept: lurk's word"},
      {"comments", "text", "comment#ID; --keep-text: addresses mapped"},
      {"threads", "ext_id", "addresses mapped"},
      {"threads", "kind", "kept: lurk's or the tracer's type name"},
      {"threads", "link_how", "kept: lurk's word"},
      {"spans", "kind", "kept: lurk's word"},
      {"spans", "args_json", "string values arg#N or mapped addresses; ports when mapped"},
      {"instants", "kind", "kept: lurk's word"},
      {"instants", "args_json", "string values arg#N or mapped addresses; ports when mapped"},
      {"flows", "kind", "kept: lurk's word"},
      {"source_counters", "name", "kept: lurk's counter names"},
      {"periods", "kind", "kept: lurk's word"},
      {"capture_findings", "kind", "kept"},
      {"capture_findings", "title", "addresses (ports) mapped, quoted exception text#ID"},
      {"capture_findings", "detail", "addresses (ports) mapped"},
      {"findings", "kind", "kept"},
      {"findings", "title", "addresses (ports) mapped, quoted exception text#ID"},
      {"findings", "detail", "addresses (ports) mapped"},
      {"live_streams", "stream_id", "stream#N, the same id the same N (it may name a host)"},
      {"live_streams", "reader_state", "dropped (NULL): a CTF reader's state, for resuming only"},
  };
  return policies;
}

namespace {

std::string base_name(const std::string& path) {
  size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string extension_of_format(const std::string& format) {
  if (format == "lurk-jsonl") return ".jsonl";
  if (format == "chrome-json") return ".json";
  return "." + format;  // pcap, pcapng, ctf
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

class ProfileAnonymizer {
 public:
  ProfileAnonymizer(Database& db, const AnonymizeOptions& options)
      : db_(db), options_(options), addresses_(options.key),
        ports_(options.map_ports ? std::make_optional<PortPermutation>(options.key) : std::nullopt),
        rewriter_(addresses_, ports_ ? &*ports_ : nullptr), args_(rewriter_, options.keep_text) {}

  AnonymizeSummary run() {
    sources();
    strings();
    rewrite_column("threads", "ext_id", [&](int64_t, const std::string& t) {
      return rewriter_.rewrite(t);
    });
    connections();
    for (const char* table : {"spans", "instants"})
      rewrite_column(table, "args_json", [&](int64_t, const std::string& t) {
        ++summary_.args_rewritten;
        return args_.anonymize(t);
      });
    rewrite_column("comments", "text", [&](int64_t id, const std::string& t) {
      return options_.keep_text ? rewriter_.rewrite(t) : dropped("comment#", id);
    });
    rewrite_column("ingest_errors", "message", [&](int64_t id, const std::string& t) {
      return options_.keep_text ? rename_sources(rewriter_.rewrite(t)) : dropped("error#", id);
    });
    // A sender's stream id (lurk collect, docs/live.md) may name its host.
    // (A profile made before the table existed has none.)
    std::map<std::string, std::string> streams;
    if (db_.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'live_streams'") > 0)
      rewrite_column("live_streams", "stream_id", [&](int64_t, const std::string& t) {
        return streams.try_emplace(t, "stream#" + std::to_string(streams.size() + 1)).first->second;
      });
    // A CTF stream's reader state (counter names, promise ids) serves only
    // a collector resuming the stream on its own profile, never a shared copy.
    if (db_.query_int("SELECT count(*) FROM pragma_table_info('live_streams') "
                      "WHERE name = 'reader_state'") > 0)
      db_.exec("UPDATE live_streams SET reader_state = NULL");
    for (const char* table : {"findings", "capture_findings"}) {
      rewrite_column(table, "title", [&](int64_t, const std::string& t) {
        return rewriter_.rewrite(without_exception_text(t));
      });
      rewrite_column(table, "detail", [&](int64_t, const std::string& t) {
        return rewriter_.rewrite(t);
      });
    }
    return summary_;
  }

 private:
  std::string dropped(const char* prefix, int64_t id) {
    ++summary_.texts_dropped;
    return prefix + std::to_string(id);
  }

  // Rewrites every non-NULL value of table.column (by rowid) that changes.
  void rewrite_column(const std::string& table, const std::string& column,
                      const std::function<std::string(int64_t, const std::string&)>& rewrite) {
    std::vector<std::pair<int64_t, std::string>> changes;
    Statement read = db_.prepare("SELECT rowid, " + column + " FROM " + table + " WHERE " +
                                 column + " IS NOT NULL ORDER BY rowid");
    while (read.step()) {
      std::string before = read.column_text(1);
      std::string after = rewrite(read.column_int(0), before);
      if (after != before) changes.emplace_back(read.column_int(0), std::move(after));
    }
    Statement write = db_.prepare("UPDATE " + table + " SET " + column + " = ? WHERE rowid = ?");
    for (auto& [rowid, text] : changes) write.bind(1, text).bind(2, rowid).run();
  }

  // New names, a keyed content hash, and the names' old forms to replace in
  // lurk's own sentences (clock evidence, ingest messages).
  void sources() {
    Statement read = db_.prepare("SELECT id, path, format, content_hash FROM sources ORDER BY id");
    Statement write =
        db_.prepare("UPDATE sources SET path = ?, content_hash = ? WHERE id = ?");
    std::vector<std::tuple<int64_t, std::string, std::string>> updates;
    while (read.step()) {
      int64_t id = read.column_int(0);
      std::string path = read.column_text(1);
      std::string name = options_.keep_text
                             ? rewriter_.rewrite(base_name(path))
                             : "source-" + std::to_string(id) + extension_of_format(read.column_text(2));
      for (const std::string& old : {path, base_name(path)})
        if (old.size() >= 4 && old != name) source_names_.emplace_back(old, name);
      std::string hash = read.column_text(3);
      std::string tagged_a = "H" + hash, tagged_b = "h" + hash;
      char hex[33];
      snprintf(hex, sizeof hex, "%016llx%016llx",
               static_cast<unsigned long long>(siphash24(options_.key, tagged_a)),
               static_cast<unsigned long long>(siphash24(options_.key, tagged_b)));
      updates.emplace_back(id, name, hex);
    }
    for (auto& [id, name, hash] : updates) write.bind(1, name).bind(2, hash).bind(3, id).run();
    std::sort(source_names_.begin(), source_names_.end(),
              [](const auto& x, const auto& y) { return x.first.size() > y.first.size(); });
    rewrite_column("sources", "clock_evidence", [&](int64_t, const std::string& t) {
      return rename_sources(rewriter_.rewrite(t));
    });
  }

  std::string rename_sources(std::string text) const {
    for (const auto& [old, name] : source_names_) replace_all(text, old, name);
    return text;
  }

  void strings();
  void connections();
  std::string without_exception_text(const std::string& title) const;

  Database& db_;
  const AnonymizeOptions& options_;
  IpPrefixMap addresses_;
  std::optional<PortPermutation> ports_;
  AddressRewriter rewriter_;
  ArgsAnonymizer args_;
  AnonymizeSummary summary_;
  std::vector<std::pair<std::string, std::string>> source_names_;
  // Exception texts that were dropped, and their placeholders, longest first.
  std::vector<std::pair<std::string, std::string>> exception_placeholders_;
};

// Interned text: exception, label and log text becomes "text#ID" (unless
// --keep-text); every other name keeps its words with addresses mapped. The
// column is UNIQUE, so changed rows first get a temporary unique text.
void ProfileAnonymizer::strings() {
  std::set<int64_t> dropped_ids, exception_ids;
  if (!options_.keep_text) {
    Statement q = db_.prepare(
        "SELECT exception, 1 FROM threads WHERE exception IS NOT NULL UNION "
        "SELECT name, kind = 'exception' FROM instants WHERE name IS NOT NULL AND "
        "kind IN ('exception', 'label', 'log')");
    while (q.step()) {
      dropped_ids.insert(q.column_int(0));
      if (q.column_int(1)) exception_ids.insert(q.column_int(0));
    }
  }
  std::vector<std::pair<int64_t, std::string>> changes;
  std::set<std::string> taken;
  Statement read = db_.prepare("SELECT id, text FROM strings ORDER BY id");
  while (read.step()) {
    int64_t id = read.column_int(0);
    std::string before = read.column_text(1);
    bool drop = dropped_ids.count(id) > 0;
    std::string after = drop ? dropped("text#", id) : rewriter_.rewrite(before);
    while (!taken.insert(after).second) after += "#";  // two names that became one
    if (exception_ids.count(id)) exception_placeholders_.emplace_back(before, after);
    if (after != before) changes.emplace_back(id, std::move(after));
  }
  Statement park = db_.prepare("UPDATE strings SET text = char(1) || 'anonymising ' || id WHERE id = ?");
  for (auto& change : changes) park.bind(1, change.first).run();
  Statement write = db_.prepare("UPDATE strings SET text = ? WHERE id = ?");
  for (auto& [id, text] : changes) write.bind(1, text).bind(2, id).run();
  std::sort(exception_placeholders_.begin(), exception_placeholders_.end(),
            [](const auto& x, const auto& y) { return x.first.size() > y.first.size(); });
}

// Findings that quote an exception end their title with it ("9 threads
// failed with MESSAGE", "...: MESSAGE"); it becomes the same placeholder
// the strings table now holds.
std::string ProfileAnonymizer::without_exception_text(const std::string& title) const {
  for (const auto& [text, placeholder] : exception_placeholders_)
    if (title.size() > text.size() && title.ends_with(text))
      return title.substr(0, title.size() - text.size()) + placeholder;
  return title;
}

void ProfileAnonymizer::connections() {
  std::vector<std::tuple<int64_t, std::string, int64_t, std::string, int64_t>> rows;
  Statement read = db_.prepare("SELECT id, addr_a, port_a, addr_b, port_b FROM connections");
  std::set<std::string> distinct;
  auto address = [&](const std::string& text) {
    if (text.empty()) return text;
    distinct.insert(text);
    std::optional<std::string> mapped = addresses_.map_text(text);
    return mapped ? *mapped : rewriter_.rewrite(text);
  };
  auto port = [&](int64_t p) {
    return ports_ && p > 0 && p <= 65535 ? int64_t(ports_->map(uint16_t(p))) : p;
  };
  while (read.step())
    rows.emplace_back(read.column_int(0), address(read.column_text(1)), port(read.column_int(2)),
                      address(read.column_text(3)), port(read.column_int(4)));
  Statement write = db_.prepare(
      "UPDATE connections SET addr_a = ?, port_a = ?, addr_b = ?, port_b = ? WHERE id = ?");
  for (auto& [id, a, pa, b, pb] : rows) write.bind(1, a).bind(2, pa).bind(3, b).bind(4, pb).bind(5, id).run();
  summary_.addresses = int64_t(distinct.size());
}

}  // namespace

AnonymizeSummary anonymize_profile(Database& db, const AnonymizeOptions& options) {
  db.exec("BEGIN");
  try {
    AnonymizeSummary summary = ProfileAnonymizer(db, options).run();
    db.exec("COMMIT");
    return summary;
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
}

}  // namespace lurk
