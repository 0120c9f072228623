"""Fakes of outside services that tests run on the loopback interface."""
