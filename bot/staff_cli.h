/*
 * staff_cli.h - `yizhan staff add ...` (staff_cli.c): the first super admin
 * of a fresh install, and any account on the command line.
 */
#ifndef BOT_STAFF_CLI_H
#define BOT_STAFF_CLI_H

/* argv[1] is "staff". The exit status. */
int staff_cli(int argc, char **argv);

#endif
