"""Writes a flat YAML file and one of mixed nesting, of the same size.

    python3 nesting.py SIZE_BYTES flat.yaml mixed.yaml

flat: one `key_N: value` line per entry. mixed: top-level groups whose
subtrees nest 1 to 64 levels deep, alternating block maps, block lists,
lists inline after a dash (`- - x`) and flow collections, with comments.
"""
import sys

size = int(sys.argv[1])


def flat(path):
    with open(path, "w") as f:
        n, i = 0, 0
        while n < size:
            line = f"key_{i}: value number {i} with some text\n"
            f.write(line)
            n += len(line)
            i += 1


def subtree(out, depth, ind, i):
    """Appends lines of a subtree `depth` levels deep at indent `ind`."""
    kind = (depth + i) % 4
    pad = " " * ind
    if depth == 1:
        out.append(f"{pad}leaf_{i}: value {i} with some text")
        out.append(f"{pad}flow_{i}: {{a: {i}, b: [x, y]}}")
        return
    if kind == 0:  # block map
        out.append(f"{pad}# level {depth}")
        out.append(f"{pad}k{depth}_{i}: v{i}")
        out.append(f"{pad}m{depth}:")
        subtree(out, depth - 1, ind + 2, i)
    elif kind == 1:  # block list of maps
        out.append(f"{pad}l{depth}:")
        out.append(f"{pad}  - item {i}")
        out.append(f"{pad}  - x{depth}: {i}")
        out.append(f"{pad}    y{depth}:")
        subtree(out, depth - 1, ind + 6, i)
    elif kind == 2:  # lists inline after a dash, then a map
        out.append(f"{pad}s{depth}:")
        out.append(f"{pad}  - - - z{depth}: {i}  # inline")
        out.append(f"{pad}        w{depth}:")
        subtree(out, depth - 1, ind + 10, i)
    else:  # map with a flow list and a nested map
        out.append(f"{pad}f{depth}: [1, 2, {{k: v}}]")
        out.append(f"{pad}n{depth}:")
        subtree(out, depth - 1, ind + 2, i)


def mixed(path):
    with open(path, "w") as f:
        n, i = 0, 0
        while n < size:
            lines = [f"group_{i}:"]
            subtree(lines, 1 + (i * 7) % 64, 2, i)
            text = "\n".join(lines) + "\n"
            f.write(text)
            n += len(text)
            i += 1


flat(sys.argv[2])
mixed(sys.argv[3])
