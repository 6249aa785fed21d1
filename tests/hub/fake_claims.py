"""A claim that is NOT exclusive (as on a folder that fakes O_EXCL): the self-test must
catch it."""


def overwrite(path, data):
    with open(path, "wb") as handle:
        handle.write(data)
