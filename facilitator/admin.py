"""Operations from the command line (Danish output), e.g. codes for teams from before team spaces.

    python -m facilitator.admin teams-uden-kode      # teams that cannot be opened yet
    python -m facilitator.admin ny-kode TEAM_ID      # give a team a (new) code; prints it once
    python -m facilitator.admin slet-team TEAM_ID    # delete a team and all its data
    python -m facilitator.admin slet-gamle DAGE      # delete meetings older than DAGE days

Uses the same database as the app (``DATABASE_URL`` or ``BORGERCASES_DATA_DIR``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from facilitator.storage import Storage, StorageError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m facilitator.admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("teams-uden-kode", help="vis teams, der endnu ikke har en kode")
    new_code = commands.add_parser("ny-kode", help="giv et team en ny kode")
    new_code.add_argument("team_id", type=int)
    delete = commands.add_parser("slet-team", help="slet et team med alle dets data")
    delete.add_argument("team_id", type=int)
    purge = commands.add_parser("slet-gamle", help="slet møder ældre end DAGE dage")
    purge.add_argument("days", type=int, metavar="DAGE")
    args = parser.parse_args(argv)

    store = Storage()
    try:
        store.create_schema()
        if args.command == "teams-uden-kode":
            teams = store.teams_without_code()
            for legacy in teams:
                print(f"{legacy.id}\t{legacy.name}")
            print(f"{len(teams)} team(s) uden kode.", file=sys.stderr)
        elif args.command == "ny-kode":
            found = store.get_team(args.team_id)
            if found is None:
                print(f"Intet team med id {args.team_id}.", file=sys.stderr)
                return 1
            code = store.new_team_code(found.id)
            print(f"Ny kode til {found.name}: {code}")
            print("Koden vises kun nu. Den gamle kode virker ikke længere.", file=sys.stderr)
        elif args.command == "slet-team":
            if store.get_team(args.team_id) is None:
                print(f"Intet team med id {args.team_id}.", file=sys.stderr)
                return 1
            store.delete_team(args.team_id)
            print(f"Team {args.team_id} og alle dets data er slettet.")
        elif args.command == "slet-gamle":
            if args.days < 1:
                print("DAGE skal være mindst 1.", file=sys.stderr)
                return 2
            removed = store.purge_older_than(args.days, date.today())
            print(f"{removed} møde(r) slettet.")
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
