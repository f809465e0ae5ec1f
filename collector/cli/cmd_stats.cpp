// lurk stats FILE.lurk [--format table|json] [--sources]: the per-connection table of a
// profile: endpoints, time span, handshake/FIN/RST, packets and payload
// bytes each way, RTT samples (from ACKs and from the timestamp option:
// count, min/avg/max) and the count of each analysis flag. Everything comes
// from the connections and packets tables. Connections a CTF trace showed by
// its promise trees (docs/ctf.md) have unknown endpoints ("?", JSON null)
// unless labels named them, and a "trace" object in JSON. --sources lists the
// sources with their clocks instead (cli/source_listing.h).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "cli/source_listing.h"
#include "ingest/ingest.h"
#include "storage/schema.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

struct StatsOptions {
  std::string file;
  std::string format = "table";
  bool sources = false;
};

// "addr:port" ("[v6]:port"), or null when a trace did not name the endpoint
// (address '' and port 0; "?:port" when only the port is known).
nlohmann::ordered_json endpoint_or_null(const std::string& addr, int64_t port) {
  if (addr.empty() && port == 0) return nullptr;
  std::string host = addr.empty() ? "?" : addr;
  return host + ":" + std::to_string(port);
}

// One connection with its RTT summary, as a JSON object.
nlohmann::ordered_json connection_stats(const Statement& row) {
  nlohmann::ordered_json c;
  c["id"] = row.column_int(0);
  c["source_id"] = row.column_int(1);
  c["a"] = endpoint_or_null(row.column_text(2), row.column_int(3));
  c["b"] = endpoint_or_null(row.column_text(4), row.column_int(5));
  c["first_ns"] = row.column_int(6);
  c["last_ns"] = row.column_int(7);
  c["syn"] = row.column_int(8) != 0;
  c["synack"] = row.column_int(9) != 0;
  c["fin_a"] = row.column_int(10) != 0;
  c["fin_b"] = row.column_int(11) != 0;
  c["rst"] = row.column_int(12) != 0;
  c["packets_ab"] = row.column_int(13);
  c["packets_ba"] = row.column_int(14);
  c["bytes_ab"] = row.column_int(15);
  c["bytes_ba"] = row.column_int(16);
  c["state"] = row.column_text(17);
  c["rtt_samples"] = row.column_int(19);
  if (row.column_int(19) > 0) {
    c["rtt_min_ns"] = row.column_int(20);
    c["rtt_avg_ns"] = row.column_int(21);
    c["rtt_max_ns"] = row.column_int(22);
  }
  c["ts_rtt_samples"] = row.column_int(23);
  if (row.column_int(23) > 0) {
    c["ts_rtt_min_ns"] = row.column_int(24);
    c["ts_rtt_avg_ns"] = row.column_int(25);
    c["ts_rtt_max_ns"] = row.column_int(26);
  }
  c["flags"] = nlohmann::ordered_json::parse(row.column_text(18), nullptr, false);
  if (c["flags"].is_discarded()) c["flags"] = nlohmann::ordered_json::object();
  if (!row.column_is_null(27)) {
    // A connection a CTF trace showed by its promise tree (docs/ctf.md).
    nlohmann::ordered_json trace;
    trace["root_thread_id"] = row.column_int(27);
    trace["root_label"] = row.column_text(28);
    trace["threads"] = row.column_int(29);
    if (row.column_is_null(30)) trace["close_ns"] = nullptr;
    else trace["close_ns"] = row.column_int(30);
    c["trace"] = trace;
  }
  return c;
}

std::string flags_summary(const nlohmann::ordered_json& flags) {
  std::string text;
  for (const auto& [name, n] : flags.items()) {
    std::string_view shortname = name;
    if (shortname.starts_with("tcp.analysis.")) shortname.remove_prefix(13);
    if (!text.empty()) text += ',';
    text += std::string(shortname) + "=" + n.dump();
  }
  return text.empty() ? "-" : terminal_safe(text);
}

// min/avg/max of one kind of RTT sample in ms, "-" when there were none.
std::string rtt_summary_ms(const nlohmann::ordered_json& c, const std::string& prefix) {
  if (!c.contains(prefix + "_avg_ns")) return "-\t-\t-";
  std::string text;
  for (const char* which : {"_min_ns", "_avg_ns", "_max_ns"}) {
    if (!text.empty()) text += '\t';
    text += std::to_string(double(c[prefix + which].get<int64_t>()) / 1e6);
  }
  return text;
}

// Unknown endpoints (a trace connection, docs/ctf.md) print as "?".
std::string endpoint_text(const nlohmann::ordered_json& endpoint) {
  return endpoint.is_null() ? "?" : terminal_safe(endpoint.get<std::string>());
}

void print_table(const std::vector<nlohmann::ordered_json>& rows) {
  std::cout << "id\ta\tb\tduration_ms\thandshake\tfin\trst\tpackets_ab\tpackets_ba\tbytes_ab\t"
               "bytes_ba\trtt_samples\trtt_min_ms\trtt_avg_ms\trtt_max_ms\tts_rtt_samples\t"
               "ts_rtt_min_ms\tts_rtt_avg_ms\tts_rtt_max_ms\tstate\tflags\n";
  for (const auto& c : rows) {
    double duration_ms = double(c["last_ns"].get<int64_t>() - c["first_ns"].get<int64_t>()) / 1e6;
    std::string handshake = c["syn"].get<bool>() && c["synack"].get<bool>() ? "yes" : "no";
    std::string fin = std::string(c["fin_a"].get<bool>() ? "a" : "") +
                      (c["fin_b"].get<bool>() ? "b" : "");
    std::cout << c["id"] << '\t' << endpoint_text(c["a"]) << '\t' << endpoint_text(c["b"])
              << '\t' << duration_ms << '\t' << handshake << '\t'
              << (fin.empty() ? "-" : fin) << '\t' << (c["rst"].get<bool>() ? "yes" : "no")
              << '\t' << c["packets_ab"] << '\t' << c["packets_ba"] << '\t' << c["bytes_ab"]
              << '\t' << c["bytes_ba"] << '\t' << c["rtt_samples"] << '\t' << rtt_summary_ms(c, "rtt") << '\t'
              << c["ts_rtt_samples"] << '\t' << rtt_summary_ms(c, "ts_rtt") << '\t'
              << terminal_safe(c["state"].get<std::string>()) << '\t' << flags_summary(c["flags"]) << '\n';
  }
}

int print_stats(const StatsOptions& options) {
  std::unique_ptr<Database> profile;
  try {
    profile = open_profile_for_reading(options.file);
  } catch (const StorageError& e) {
    std::cerr << "lurk: " << e.what() << "\n";
    return kExitFailure;
  }
  Database& db = *profile;
  if (options.sources) {
    print_sources(db, options.format);
    return kExitOk;
  }
  // Older files are upgraded in memory (open_profile_for_reading): every column is there.
  const std::string trace_columns =
      "c.root_thread_id, (SELECT coalesce(n.text, '') FROM threads r "
      "  LEFT JOIN strings n ON n.id = r.name WHERE r.id = c.root_thread_id), "
      "(SELECT count(*) FROM threads t WHERE t.connection_id = c.id), c.close_ns";
  Statement query = db.prepare(
      "SELECT c.id, c.source_id, c.addr_a, c.port_a, c.addr_b, c.port_b, c.first_ns, c.last_ns, "
      "c.syn_seen, c.synack_seen, c.fin_a, c.fin_b, c.rst_seen, c.packets_ab, c.packets_ba, "
      "c.bytes_ab, c.bytes_ba, c.state, c.flags_json, "
      "(SELECT count(rtt_ns) FROM packets p WHERE p.connection_id = c.id), "
      "(SELECT min(rtt_ns) FROM packets p WHERE p.connection_id = c.id), "
      "(SELECT CAST(avg(rtt_ns) AS INTEGER) FROM packets p WHERE p.connection_id = c.id), "
      "(SELECT max(rtt_ns) FROM packets p WHERE p.connection_id = c.id), "
      "(SELECT count(ts_rtt_ns) FROM packets p WHERE p.connection_id = c.id), "
      "(SELECT min(ts_rtt_ns) FROM packets p WHERE p.connection_id = c.id), "
      "(SELECT CAST(avg(ts_rtt_ns) AS INTEGER) FROM packets p WHERE p.connection_id = c.id), "
      "(SELECT max(ts_rtt_ns) FROM packets p WHERE p.connection_id = c.id), " +
      trace_columns + " FROM connections c WHERE c.source_id IS NOT NULL ORDER BY c.id");
  std::vector<nlohmann::ordered_json> rows;
  while (query.step()) rows.push_back(connection_stats(query));
  if (options.format == "json") {
    // Invalid UTF-8 from a trace becomes U+FFFD: the output stays valid JSON.
    std::cout << nlohmann::ordered_json(rows).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    print_table(rows);
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_stats_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("stats", "Per-connection table: counts, RTT, analysis flags");
  auto options = std::make_shared<StatsOptions>();
  cmd->add_option("file", options->file, "the .lurk profile")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", options->format, "table (tab-separated, default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--sources", options->sources,
                "list the sources instead: counts, status, and each one's clock (the domain, "
                "how it was aligned to the captures', the offset and the evidence)");
  return [options] { return print_stats(*options); };
}

}  // namespace lurk::cli
