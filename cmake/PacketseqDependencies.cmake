# Finds the libraries packetseq builds against (see docs/dependencies.md for why each is used).
find_package(PkgConfig REQUIRED)
pkg_check_modules(GLIB REQUIRED IMPORTED_TARGET glib-2.0)
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo cairo-png cairo-svg cairo-pdf)
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
find_package(nlohmann_json 3.10 REQUIRED)
if(PACKETSEQ_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(PACKETSEQ_WITH_WIRESHARK)
  # Debian installs WiresharkConfig.cmake under lib/<arch>/wireshark/cmake.
  find_package(Wireshark 4.0 CONFIG REQUIRED
               HINTS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/wireshark/cmake)
endif()
