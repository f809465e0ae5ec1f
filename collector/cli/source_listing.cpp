#include "cli/source_listing.h"

#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/terminal_text.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {

void print_sources(Database& db, const std::string& format) {
  Statement s = db.prepare(
      "SELECT id, path, format, records, errors, status, clock_domain, clock_how, "
      "clock_offset_ns, clock_evidence FROM sources ORDER BY id");
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  while (s.step()) {
    nlohmann::ordered_json r;
    r["id"] = s.column_int(0);
    r["path"] = s.column_text(1);
    r["format"] = s.column_text(2);
    r["records"] = s.column_int(3);
    r["errors"] = s.column_int(4);
    r["status"] = s.column_text(5);
    r["clock_domain"] = s.column_text(6);
    r["clock_how"] = s.column_text(7);
    r["clock_offset_ns"] = s.column_int(8);
    r["clock_evidence"] = s.column_text(9);
    rows.push_back(std::move(r));
  }
  if (format == "json") {
    std::cout << rows.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return;
  }
  std::cout << "id\tpath\tformat\trecords\terrors\tstatus\tclock\taligned_by\toffset_s\tevidence\n";
  for (const auto& r : rows) {
    char offset[40];
    std::snprintf(offset, sizeof offset, "%+.9f", double(r["clock_offset_ns"].get<int64_t>()) / 1e9);
    std::cout << r["id"] << '\t' << terminal_safe(r["path"].get<std::string>()) << '\t'
              << terminal_safe(r["format"].get<std::string>()) << '\t' << r["records"] << '\t' << r["errors"]
              << '\t' << terminal_safe(r["status"].get<std::string>()) << '\t'
              << terminal_safe(r["clock_domain"].get<std::string>()) << '\t' << terminal_safe(r["clock_how"].get<std::string>())
              << '\t' << offset << '\t' << terminal_safe(r["clock_evidence"].get<std::string>()) << '\n';
  }
}

}  // namespace lurk::cli
