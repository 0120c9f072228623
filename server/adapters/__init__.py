"""Side effects behind small ports, each with a real adapter and a fake. Built only in `create_app`."""
