# Writes a C++ source holding every migrations/NNN_name.sql as a string literal.
# Called at build time: cmake -DSRC_DIR=... -DOUT=... -P embed_migrations.cmake
file(GLOB files "${SRC_DIR}/[0-9][0-9][0-9]_*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  string(SUBSTRING "${name}" 0 3 number)
  math(EXPR number "${number}")
  file(READ "${f}" sql)
  string(APPEND body "      {${number}, \"${name}\", R\"sql(${sql})sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from store/pg/migrations/*.sql by embed_migrations.cmake.\n#include \"store/pg/migrations.h\"\n\nnamespace sp::store::pg {\n\nconst std::vector<Migration>& builtInMigrations() {\n  static const std::vector<Migration> kMigrations = {\n${body}  };\n  return kMigrations;\n}\n\n}  // namespace sp::store::pg\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
