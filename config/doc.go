// Package config reads faz.yaml (spec/config.md): the faz tool's `databases:`
// and `permissions:` sections unchanged, plus the sections a network server
// needs (listen, admin_listen, tls, auth, users, limits).
//
// Reading has three steps, so that "unset" and "false" stay distinct until
// defaults are applied and every mistake can point at its line:
//
//  1. the YAML is decoded strictly into the file structs of file.go (pointers
//     for scalars; an unknown key is an error naming the key and line:column);
//  2. FAZ_ environment variables override scalars (env.go documents the
//     mapping), so containers need no file edits;
//  3. the file structs are validated into Config, the internal form the rest of
//     fazproxy uses (defaults applied, units parsed, SCRAM verifiers decoded,
//     permissions compiled into policy.Rules). Every problem found is reported,
//     each with the line of the value it concerns (or the variable that set it).
//
// Errors never print a secret: database passwords, user verifiers and the
// values of password_env variables are reported by name only, and secrets are
// held in the Secret type, which formats as "[redacted]".
package config
