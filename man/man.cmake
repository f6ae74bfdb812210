# Man pages: auditlens(1) and auditlens-COMMAND(1) for each command, made at build time from the
# program's own --help by help2man (man/help2man_page.sh) with the include files of man/, so they
# never say other than the program. Built into <build>/man/ (target `man`, part of all), installed
# gzipped into share/man/man1 (and so in the .deb). Needs help2man (scripts/install-deps.sh).
find_program(HELP2MAN_EXECUTABLE help2man)
if(NOT HELP2MAN_EXECUTABLE)
  message(WARNING "help2man not found: no man pages (scripts/install-deps.sh installs it)")
else()
  set(AUDITLENS_MAN_PAGES
    "|the kernel audit stream as one decoded JSON object per event"
    "run|run the agent: kernel audit events as JSON lines"
    "parse|decode auditd log files into JSON lines"
    "import|build sessions and timelines in the store from auditd logs of any host"
    "status|kernel audit status and the agent's health"
    "rules|list, load, delete, check and show kernel audit rules|list load delete-all check show-default"
    "sessions|list login sessions from the store"
    "timeline|show one login session (or one container) command by command"
    "containers|list the containers processes ran in, from the store"
    "trace|follow a login session across the fleet's hosts"
    "fleet|the fleet database's schema and roles, for its administrator|migrate"
    "web|serve a read-only web page of sessions, timelines, process trees and traces")
  set(man_dir ${PROJECT_BINARY_DIR}/man)
  set(man_outputs)
  foreach(entry IN LISTS AUDITLENS_MAN_PAGES)
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 command)
    list(GET parts 1 name_line)
    set(subcommands)
    list(LENGTH parts n)
    if(n GREATER 2)
      list(GET parts 2 subcommands)
      separate_arguments(subcommands UNIX_COMMAND "${subcommands}")
    endif()
    if(command STREQUAL "")
      set(page auditlens)
    else()
      set(page auditlens-${command})
    endif()
    add_custom_command(
      OUTPUT ${man_dir}/${page}.1 ${man_dir}/${page}.1.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${man_dir}
      COMMAND sh ${PROJECT_SOURCE_DIR}/man/help2man_page.sh $<TARGET_FILE:auditlens> "${command}"
              "${name_line}" ${PROJECT_SOURCE_DIR}/man ${man_dir}/${page}.1 ${subcommands}
      COMMAND gzip -9nf -k ${man_dir}/${page}.1
      DEPENDS auditlens ${PROJECT_SOURCE_DIR}/man/help2man_page.sh
              ${PROJECT_SOURCE_DIR}/man/common.h2m ${PROJECT_SOURCE_DIR}/man/${page}.h2m
      COMMENT "Man page ${page}(1) from its --help"
      VERBATIM)
    list(APPEND man_outputs ${man_dir}/${page}.1 ${man_dir}/${page}.1.gz)
    install(FILES ${man_dir}/${page}.1.gz DESTINATION share/man/man1)
  endforeach()
  add_custom_target(man ALL DEPENDS ${man_outputs})
endif()
