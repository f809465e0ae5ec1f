#include "core/connection_rows.h"

#include <algorithm>
#include <cctype>

#include "core/search_index.h"

namespace lurk::ui {

const char* connection_column_name(ConnectionColumn column) {
  switch (column) {
    case ConnectionColumn::Endpoints: return "endpoints";
    case ConnectionColumn::Duration: return "duration";
    case ConnectionColumn::Packets: return "packets";
    case ConnectionColumn::Bytes: return "bytes";
    case ConnectionColumn::Retransmissions: return "retransmissions";
    case ConnectionColumn::DupAcks: return "dup ACKs";
    case ConnectionColumn::Exceptions: return "exceptions";
    case ConnectionColumn::State: return "state";
    case ConnectionColumn::Count: break;
  }
  return "?";
}

std::string connection_column_key(ConnectionColumn column) {
  std::string key = connection_column_name(column);
  for (char& c : key) c = c == ' ' ? '-' : char(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::optional<ConnectionColumn> connection_column_of_key(const std::string& key) {
  for (int c = 0; c < int(ConnectionColumn::Count); ++c)
    if (connection_column_key(ConnectionColumn(c)) == key) return ConnectionColumn(c);
  return std::nullopt;
}

std::vector<uint32_t> connection_rows(const ProfileModel& model, const std::string& filter,
                                      ConnectionColumn column, bool descending) {
  std::string q;
  for (char c : filter) q += char(std::tolower(static_cast<unsigned char>(c)));
  const auto& cs = model.connections();
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < cs.size(); ++i)
    if (cs[i].shown() &&
        (q.empty() || contains_folded(cs[i].label, q) || contains_folded(cs[i].state, q)))
      rows.push_back(uint32_t(i));
  auto key = [&](const ConnectionLanes& c) -> int64_t {
    switch (column) {
      case ConnectionColumn::Duration: return c.last_ns - c.first_ns;
      case ConnectionColumn::Packets: return c.packets;
      case ConnectionColumn::Bytes: return c.bytes;
      case ConnectionColumn::Retransmissions: return c.retransmissions;
      case ConnectionColumn::DupAcks: return c.dup_acks;
      case ConnectionColumn::Exceptions: return c.exceptions;
      default: return 0;
    }
  };
  auto less = [&](uint32_t a, uint32_t b) {
    const ConnectionLanes &ca = cs[a], &cb = cs[b];
    if (column == ConnectionColumn::Endpoints) {
      if (ca.label != cb.label) return ca.label < cb.label;
    } else if (column == ConnectionColumn::State) {
      if (ca.state != cb.state) return ca.state < cb.state;
    } else if (key(ca) != key(cb)) {
      return key(ca) < key(cb);
    }
    return a < b;  // ties keep time order
  };
  std::stable_sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    return descending ? less(b, a) : less(a, b);
  });
  return rows;
}

}  // namespace lurk::ui
