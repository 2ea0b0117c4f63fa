// One-pass libwireshark capture reader: wiretap records -> epan dissection -> Observations.
#include "reader/epan_reader.h"

#include <cfile.h>  // struct packet_provider_data, as tshark and Wireshark define it
#include <epan/addr_resolv.h>
#include <epan/column.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/report_message.h>
#include <wsutil/wslog.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "reader/dissection_fields.h"
#include "util/text_safety.h"

// libwireshark 4.0 reloads its name-resolution tables in every epan_new() (init_dissection ->
// host_name_lookup_reset: manuf 52k lines, enterprises.tsv 62k, services, wka) and never frees
// the previous copies: ~0.25 s and ~11 MB per capture file, so 2,000 small capture points took
// minutes and tens of GB. packetseq resolves no names (disable_name_resolution below), so MAC
// vendors, well-known addresses and port names are never shown; enterprise numbers only appear
// in protocol trees, which packetseq does not read. This definition in the executable takes
// precedence over libwsutil's exported one for libwireshark's calls (ELF symbol interposition)
// and gives those four files as empty (/dev/null), for every file alike; other data files
// (DTDs, RADIUS/Diameter dictionaries, ...) resolve as libwsutil does it. Wireshark itself,
// which loads the plugin after libwsutil, keeps libwsutil's definition.
extern "C" char* get_datafile_path(const char* filename) {
  static const char* const kSkipped[] = {"manuf", "wka", "services", "enterprises.tsv"};
  for (const char* name : kSkipped)
    if (std::strcmp(filename, name) == 0) return g_strdup("/dev/null");
  return g_build_filename(get_datafile_dir(), filename, nullptr);
}

namespace packetseq {
namespace {

// ---- libwireshark's message callbacks -------------------------------------------------------

// Messages libwireshark reports while a file is read become that capture point's warnings;
// outside a read they go to stderr.
std::vector<std::string>* g_report_sink = nullptr;

void report(const std::string& message) noexcept {
  try {
    if (g_report_sink != nullptr) {
      g_report_sink->push_back(message);
      return;
    }
  } catch (...) {
    // Out of memory while noting a warning: fall through to stderr.
  }
  std::fprintf(stderr, "packetseq: %s\n", message.c_str());
}

void report_formatted(const char* prefix, const char* format, va_list args) noexcept {
  gchar* text = g_strdup_vprintf(format, args);
  report(std::string(prefix) + text);
  g_free(text);
}

void on_failure(const char* format, va_list args) { report_formatted("", format, args); }
void on_warning(const char* format, va_list args) { report_formatted("warning: ", format, args); }
void on_open_failure(const char* filename, int err, gboolean /*for_writing*/) {
  report(std::string(filename) + ": " + g_strerror(err));
}
void on_read_failure(const char* filename, int err) {
  report(std::string(filename) + ": read error: " + g_strerror(err));
}
void on_write_failure(const char* filename, int err) {
  report(std::string(filename) + ": write error: " + g_strerror(err));
}
void on_cfile_failure(const char* filename, int err, gchar* err_info) {
  report(std::string(filename) + ": " + wtap_strerror(err) +
         (err_info != nullptr ? std::string(" (") + err_info + ")" : std::string()));
  g_free(err_info);
}
void on_cfile_dump_open_failure(const char* filename, int err, gchar* err_info, int) {
  on_cfile_failure(filename, err, err_info);
}
void on_cfile_write_failure(const char*, const char* out_filename, int err, gchar* err_info,
                            guint32, int) {
  on_cfile_failure(out_filename, err, err_info);
}

const report_message_routines kReportRoutines = {
    on_failure,
    on_warning,
    on_open_failure,
    on_read_failure,
    on_write_failure,
    on_cfile_failure,
    on_cfile_dump_open_failure,
    on_cfile_failure,
    on_cfile_write_failure,
    on_cfile_failure,
};

// ---- process-wide setup ---------------------------------------------------------------------

bool g_initialised = false;
bool g_session_open = false;  // one epan session at a time, process-wide

void set_preference(const char* setting) {
  std::string arg(setting);  // prefs_set_pref() edits its argument in place
  char* errmsg = nullptr;
  const prefs_set_pref_e status = prefs_set_pref(arg.data(), &errmsg);
  std::string detail = errmsg != nullptr ? errmsg : "";
  g_free(errmsg);
  if (status != PREFS_SET_OK) {
    throw std::runtime_error(std::string("libwireshark rejected the preference '") + setting + "'" +
                             (detail.empty() ? "" : ": " + detail));
  }
}

// ---- packet provider: what epan asks the application about the file being read -------------

const nstime_t* provider_frame_ts(packet_provider_data* prov, guint32 frame_num) {
  // One pass keeps no frame list: only the reference, last displayed and last read frames.
  for (const frame_data* fd : {prov->ref, static_cast<const frame_data*>(prov->prev_dis),
                               static_cast<const frame_data*>(prov->prev_cap)}) {
    if (fd != nullptr && fd->num == frame_num) return &fd->abs_ts;
  }
  return nullptr;
}

const char* interface_string(packet_provider_data* prov, guint32 interface_id,
                             std::initializer_list<guint> options) {
  wtapng_iface_descriptions_t* idb_info = wtap_file_get_idb_info(prov->wth);
  wtap_block_t idb = nullptr;
  if (idb_info != nullptr && idb_info->interface_data != nullptr &&
      interface_id < idb_info->interface_data->len) {
    idb = g_array_index(idb_info->interface_data, wtap_block_t, interface_id);
  }
  g_free(idb_info);  // the struct only; the interface array belongs to wiretap
  if (idb != nullptr) {
    for (guint option : options) {
      char* text = nullptr;
      if (wtap_block_get_string_option_value(idb, option, &text) == WTAP_OPTTYPE_SUCCESS) {
        return text;
      }
    }
  }
  return nullptr;
}

const char* provider_interface_name(packet_provider_data* prov, guint32 interface_id) {
  const char* name = interface_string(prov, interface_id, {OPT_IDB_NAME, OPT_IDB_DESCRIPTION});
  return name != nullptr ? name : "unknown";
}

const char* provider_interface_description(packet_provider_data* prov, guint32 interface_id) {
  return interface_string(prov, interface_id, {OPT_IDB_DESCRIPTION});
}

wtap_block_t provider_modified_block(packet_provider_data*, const frame_data*) {
  return nullptr;  // nothing is edited in a read-only pass
}

const packet_provider_funcs kProviderFuncs = {
    provider_frame_ts,
    provider_interface_name,
    provider_interface_description,
    provider_modified_block,
};

// ---- error texts ----------------------------------------------------------------------------

std::string with_detail(const std::string& cause, gchar* err_info) {
  std::string text = cause;
  if (err_info != nullptr && *err_info != '\0') text += " (" + std::string(err_info) + ")";
  g_free(err_info);
  return text;
}

// Wiretap's open/read error codes in words a network engineer knows.
std::string wtap_error_text(int err, gchar* err_info) {
  switch (err) {
    case WTAP_ERR_FILE_UNKNOWN_FORMAT:
      return with_detail("not a capture file in a format Wireshark can read", err_info);
    case WTAP_ERR_UNSUPPORTED:
      return with_detail("the capture file uses a format or record type Wireshark does not support",
                         err_info);
    case WTAP_ERR_BAD_FILE:
      return with_detail("the capture file appears to be damaged or corrupt", err_info);
    case WTAP_ERR_SHORT_READ:
      return with_detail("the capture file ends in the middle of a packet (file cut short)",
                         err_info);
    case WTAP_ERR_NOT_REGULAR_FILE:
      return with_detail("not a regular file", err_info);
    case WTAP_ERR_DECOMPRESS:
      return with_detail("the compressed capture file appears to be damaged or corrupt", err_info);
    case WTAP_ERR_DECOMPRESSION_NOT_SUPPORTED:
      return with_detail("the capture file is compressed in a way Wireshark cannot read", err_info);
    case WTAP_ERR_PACKET_TOO_LARGE:
      return with_detail("the capture file has a packet larger than Wireshark supports", err_info);
    default:
      return with_detail(err > 0 ? g_strerror(err) : wtap_strerror(err), err_info);
  }
}

std::string plural(std::uint64_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// ---- one file, one epan session ---------------------------------------------------------------

// Owns every libwireshark object of one read and frees them in the right order, whatever happens.
class Session {
 public:
  explicit Session(std::vector<std::string>* warnings) {
    g_session_open = true;
    g_report_sink = warnings;
    wtap_rec_init(&rec);
    ws_buffer_init(&buffer, 1514);
    provider.ref = nullptr;
    provider.prev_dis = nullptr;
    provider.prev_cap = nullptr;
    provider.frames = nullptr;
    provider.frames_modified_blocks = nullptr;
    provider.wth = nullptr;
  }
  ~Session() {
    if (edt != nullptr) epan_dissect_free(edt);
    if (epan != nullptr) epan_free(epan);  // also drops the dissectors' per-file state
    if (provider.wth != nullptr) wtap_close(provider.wth);
    if (columns_built) col_cleanup(&cinfo);
    if (dfcode != nullptr) dfilter_free(dfcode);
    if (follow_code != nullptr) dfilter_free(follow_code);
    wtap_rec_cleanup(&rec);
    ws_buffer_free(&buffer);
    g_report_sink = nullptr;
    g_session_open = false;
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  packet_provider_data provider;
  epan_t* epan = nullptr;
  epan_dissect_t* edt = nullptr;
  dfilter_t* dfcode = nullptr;
  dfilter_t* follow_code = nullptr;  // follow mode: marks Observation::followed
  column_info cinfo{};
  bool columns_built = false;
  wtap_rec rec;
  Buffer buffer;
};

// Tallies of packets that matched the filter but gave no observation, for point.warnings.
struct Skipped {
  std::uint64_t truncated = 0;
  std::uint64_t no_ip = 0;
  std::uint64_t clamped = 0;
  std::uint64_t no_timestamp = 0;
  std::vector<std::uint32_t> truncated_frames;  // the first few, to name them
};

void add_warnings(const Skipped& skipped, std::vector<std::string>& warnings) {
  if (skipped.truncated > 0) {
    std::string frames;
    for (std::uint32_t frame : skipped.truncated_frames) {
      frames += (frames.empty() ? "" : ", ") + std::to_string(frame);
    }
    if (skipped.truncated > skipped.truncated_frames.size()) frames += ", ...";
    warnings.push_back(plural(skipped.truncated, "TCP segment") +
                       " with a truncated or malformed TCP header skipped (frame " + frames + ")");
  }
  if (skipped.no_ip > 0) {
    warnings.push_back(plural(skipped.no_ip, "TCP segment") +
                       " not carried over IPv4/IPv6 skipped");
  }
  if (skipped.clamped > 0) {
    warnings.push_back(plural(skipped.clamped, "timestamp") +
                       " outside the years 1677-2262 clamped to the nearest representable time");
  }
  if (skipped.no_timestamp > 0) {
    warnings.push_back(plural(skipped.no_timestamp, "packet") +
                       " without a timestamp (time 0 used)");
  }
}

void initialise_libwireshark() {
  // Wireshark's log at its default level (WIRESHARK_LOG_LEVEL may change it); uninitialised it
  // prints every debug message.
  ws_log_init("packetseq", nullptr);
  init_report_message("packetseq", &kReportRoutines);
  init_process_policies();
  // Finds the global and personal configuration (profiles, plugins) as tshark does.
  if (char* error = configuration_init("/proc/self/exe", nullptr)) {
    std::string message = std::string("libwireshark configuration failed: ") + error;
    g_free(error);
    throw std::runtime_error(message);
  }
  wtap_init(TRUE);
  if (!epan_init(nullptr, nullptr, TRUE)) {
    throw std::runtime_error("libwireshark (epan) initialisation failed");
  }
  epan_load_settings();  // the user's preferences, like tshark
  // Each segment on its own: reassembly would buffer stream data (memory grows with the file)
  // and would move the higher-layer Info text to the segment that completes a PDU.
  set_preference("tcp.desegment_tcp_streams:FALSE");
  set_preference("tcp.relative_sequence_numbers:TRUE");
  set_preference("tcp.analyze_sequence_numbers:TRUE");
  // Only the columns packetseq shows are computed.
  set_preference("gui.column.format:\"Protocol\",\"%p\",\"Info\",\"%i\"");
  prefs_apply_all();
  disable_name_resolution();  // after the preferences, which may have turned it on
}

}  // namespace

void epan_library_init() {
  // libwireshark cannot be initialised twice: a failed attempt is final for the process.
  static std::string init_error;
  if (g_initialised) return;
  if (!init_error.empty()) throw std::runtime_error(init_error);
  try {
    initialise_libwireshark();
  } catch (const std::exception& e) {
    init_error = e.what();
    throw;
  }
  g_initialised = true;
}

void check_read_counts(const std::string& path, const std::string& filter,
                       const std::string& follow_filter, const ReadCounts& counts) {
  if (counts.frames == 0) throw ReadError(path + ": the capture file contains no packets");
  if (counts.matched == 0) {
    throw ReadError(path + ": no packets match the display filter '" + util::quote_excerpt(filter) +
                    "' (" + plural(counts.frames, "packet") + " read)");
  }
  if (counts.observations == 0) {
    if (filter.empty()) {
      throw ReadError(path + ": no TCP segments over IP among the " +
                      plural(counts.frames, "packet") + " read");
    }
    throw ReadError(path + ": no TCP segments match the display filter '" +
                    util::quote_excerpt(filter) + "' (" + std::to_string(counts.matched) + " of " +
                    plural(counts.frames, "packet") + " matched, none a TCP segment over IP)");
  }
  if (!follow_filter.empty() && counts.followed == 0) {
    throw ReadError(path + ": no TCP segments match the follow filter '" +
                    util::quote_excerpt(follow_filter) + "' (" +
                    plural(counts.observations, "TCP segment") + " read with the display filter '" +
                    filter + "')");
  }
}

void read_capture_epan(const std::string& path, const ReadOptions& options, std::size_t point_index,
                       CapturePoint& point) {
  epan_library_init();
  if (g_session_open) {
    throw ReadError(path + ": another capture file is being read in this process");
  }
  static const DissectionFields fields;  // after epan_init: looks up the registered fields
  const std::string& filter = options.display_filter;
  point.filter = filter;

  Session session(&point.warnings);

  gchar* filter_error = nullptr;
  if (!dfilter_compile(filter.c_str(), &session.dfcode, &filter_error)) {
    std::string detail = filter_error != nullptr ? filter_error : "syntax error";
    g_free(filter_error);
    throw ReadError(path + ": invalid display filter '" + util::quote_excerpt(filter) +
                    "': " + detail);
  }
  const std::string& follow_filter = options.follow_filter;
  const bool follow = !follow_filter.empty();
  if (follow) {
    if (!dfilter_compile(follow_filter.c_str(), &session.follow_code, &filter_error) ||
        session.follow_code == nullptr) {
      std::string detail = filter_error != nullptr ? filter_error : "empty filter";
      g_free(filter_error);
      throw ReadError(path + ": invalid follow filter '" + util::quote_excerpt(follow_filter) +
                      "': " + detail);
    }
  }

  int err = 0;
  gchar* err_info = nullptr;
  session.provider.wth = wtap_open_offline(path.c_str(), WTAP_TYPE_AUTO, &err, &err_info, FALSE);
  if (session.provider.wth == nullptr) {
    throw ReadError(path + ": " + wtap_error_text(err, err_info));
  }
  wtap* wth = session.provider.wth;
  const int file_type = wtap_file_type_subtype(wth);
  if (const char* name = wtap_file_type_subtype_name(file_type)) point.format = name;

  session.epan = epan_new(&session.provider, &kProviderFuncs);
  session.edt = epan_dissect_new(session.epan, TRUE, FALSE);
  build_column_format_array(&session.cinfo, prefs.num_cols, TRUE);
  session.columns_built = true;

  int size_err = 0;
  const gint64 file_size = wtap_file_size(wth, &size_err);
  const std::uint64_t total_bytes = file_size > 0 ? static_cast<std::uint64_t>(file_size) : 0;
  if (options.progress) options.progress(0, total_bytes);

  frame_data ref_frame{}, prev_dis_frame{}, prev_cap_frame{};
  nstime_t elapsed_time;
  nstime_set_zero(&elapsed_time);
  guint32 cum_bytes = 0;
  std::uint32_t frame_count = 0;
  std::uint64_t matched = 0;
  std::uint64_t followed = 0;
  const std::size_t first_new = point.observations.size();
  Skipped skipped;
  gint64 data_offset = 0;
  if (options.cancelled && options.cancelled()) throw ReadCancelled(path + ": cancelled");

  // Test-only throttle (docs/testing.md): PACKETSEQ_TEST_READ_DELAY_US sleeps per packet so
  // the GUI Cancel test gets a build that lasts long enough on any machine.
  const char* test_delay_env = std::getenv("PACKETSEQ_TEST_READ_DELAY_US");
  const long test_delay_us = test_delay_env != nullptr ? std::atol(test_delay_env) : 0;

  while (wtap_read(wth, &session.rec, &session.buffer, &err, &err_info, &data_offset)) {
    ++frame_count;
    if (test_delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(test_delay_us));
    if ((frame_count & 0xff) == 0 && options.cancelled && options.cancelled()) {
      throw ReadCancelled(path + ": cancelled");
    }
    if ((frame_count & 0xfff) == 0 && options.progress) {
      options.progress(static_cast<std::uint64_t>(std::max<gint64>(0, wtap_read_so_far(wth))),
                       total_bytes);
    }

    // The same steps as tshark's single pass: frame_data lives for this record only.
    frame_data fdata;
    frame_data_init(&fdata, frame_count, &session.rec, data_offset, cum_bytes);
    epan_dissect_t* edt = session.edt;
    if (session.dfcode != nullptr) epan_dissect_prime_with_dfilter(edt, session.dfcode);
    if (session.follow_code != nullptr) epan_dissect_prime_with_dfilter(edt, session.follow_code);
    prime_epan_dissect_with_postdissector_wanted_hfids(edt);
    fields.prime(edt);
    frame_data_set_before_dissect(&fdata, &elapsed_time, &session.provider.ref,
                                  session.provider.prev_dis);
    if (session.provider.ref == &fdata) {
      ref_frame = fdata;
      session.provider.ref = &ref_frame;
    }
    const guint32 reported_len = std::min<guint32>(fdata.pkt_len, G_MAXINT);
    tvbuff_t* tvb =
        tvb_new_real_data(ws_buffer_start_ptr(&session.buffer),
                          std::min(fdata.cap_len, reported_len), static_cast<gint>(reported_len));
    // Malformed packets raise dissector exceptions that epan catches and marks in the tree.
    epan_dissect_run_with_taps(edt, file_type, &session.rec, tvb, &fdata, &session.cinfo);

    const bool passed = session.dfcode == nullptr || dfilter_apply_edt(session.dfcode, edt);
    if (passed) {
      ++matched;
      Observation obs;
      obs.point = point_index;
      const ExtractResult result = fields.extract(edt, &session.cinfo, obs);
      switch (result.outcome) {
        case ExtractOutcome::kObservation:
          if (follow && dfilter_apply_edt(session.follow_code, edt)) {
            obs.followed = true;
            ++followed;
          }
          point.observations.push_back(std::move(obs));
          skipped.clamped += result.time_clamped ? 1 : 0;
          skipped.no_timestamp += result.no_timestamp ? 1 : 0;
          break;
        case ExtractOutcome::kTcpHeaderTruncated:
          if (skipped.truncated++ < 5) skipped.truncated_frames.push_back(fdata.num);
          break;
        case ExtractOutcome::kNoIpLayer:
          ++skipped.no_ip;
          break;
        case ExtractOutcome::kNotTcp:
        case ExtractOutcome::kTcpInIcmpError:
          break;  // e.g. a filter such as "ip.addr==..." also matches UDP and ICMP
      }
      frame_data_set_after_dissect(&fdata, &cum_bytes);
      prev_dis_frame = fdata;
      prev_dis_frame.pfd = nullptr;  // the list is freed below; the copy only keeps the times
      session.provider.prev_dis = &prev_dis_frame;
    }
    prev_cap_frame = fdata;
    prev_cap_frame.pfd = nullptr;
    session.provider.prev_cap = &prev_cap_frame;

    epan_dissect_reset(edt);  // frees the tvb chain and the packet's tree
    frame_data_destroy(&fdata);
    wtap_rec_reset(&session.rec);
  }
  if (err != 0) {
    throw ReadError(path + ": read error after " + plural(frame_count, "packet") + ": " +
                    wtap_error_text(err, err_info));
  }
  g_free(err_info);
  if (options.progress) options.progress(total_bytes, total_bytes);

  add_warnings(skipped, point.warnings);
  check_read_counts(
      path, filter, follow_filter,
      ReadCounts{frame_count, matched, point.observations.size() - first_new, followed});
}

}  // namespace packetseq
