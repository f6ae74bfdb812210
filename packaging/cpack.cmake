# The Debian package: `cpack -G DEB` in a build directory gives auditlens_VERSION_ARCH.deb with
#   /usr/bin/auditlens
#   /usr/lib/systemd/system/auditlens.service       (packaging/auditlens.service)
#   /usr/share/auditlens/systemd/*.conf              (drop-ins: fleet-store, replace-auditd)
#   /etc/auditlens/auditlens.toml                    (conffile, 0600: the embedded defaults, every key)
#   /etc/default/auditlens                           (conffile: arguments for the unit)
#   /etc/logrotate.d/auditlens                       (conffile: daily rotation, SIGHUP to reopen)
#   /usr/share/doc/auditlens/*.md                    (every page of docs/)
# Dependencies come from dpkg-shlibdeps, so `apt-get install ./auditlens_*.deb` pulls them in.
# The maintainer scripts create /var/log/auditlens and /var/lib/auditlens (both 0700, as the
# unit's LogsDirectoryMode=/StateDirectoryMode=), restart a running agent on upgrade, and never
# start it on a first install (it takes over the kernel's audit stream): docs/operations.md.

# The packaged config is the embedded default config, taken from its single source.
set(_default_config_header ${PROJECT_SOURCE_DIR}/src/config/default_config.h)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_default_config_header})
file(READ ${_default_config_header} _default_config_text)
string(REGEX MATCH "R\"TOML\\((.*)\\)TOML\"" _default_config_match "${_default_config_text}")
if(NOT CMAKE_MATCH_1)
  message(FATAL_ERROR "packaging: no R\"TOML(...)TOML\" block in ${_default_config_header}")
endif()
file(WRITE ${PROJECT_BINARY_DIR}/packaging/auditlens.toml "${CMAKE_MATCH_1}")

install(FILES ${PROJECT_SOURCE_DIR}/packaging/auditlens.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/fleet-store.conf ${PROJECT_SOURCE_DIR}/packaging/replace-auditd.conf
  DESTINATION share/auditlens/systemd)
# 0600: the config may hold the fleet store's PostgreSQL password.
install(FILES ${PROJECT_BINARY_DIR}/packaging/auditlens.toml DESTINATION /etc/auditlens
  PERMISSIONS OWNER_READ OWNER_WRITE)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/default RENAME auditlens DESTINATION /etc/default
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/logrotate RENAME auditlens DESTINATION /etc/logrotate.d
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# Every page of docs/ (they link to each other).
file(GLOB _auditlens_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${_auditlens_docs} DESTINATION share/doc/auditlens)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME auditlens)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "auditlens")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Linux audit listener: the kernel audit stream as one decoded JSON object per event")
set(CPACK_PACKAGE_DESCRIPTION
  "auditlens takes the kernel audit stream over netlink (as the audit daemon, or beside auditd),\ngroups records into events and writes one fully decoded JSON object per event, with loss\nevents for anything lost.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "auditlens maintainers <maintainers@auditlens.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst
  ${PROJECT_SOURCE_DIR}/packaging/prerm ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
