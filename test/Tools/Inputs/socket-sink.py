"""Runs a command whose output is a Unix socket (outputs-descriptors.test):
binds and listens on SOCKET first (so the command's connect cannot race
it), runs the command, accepts one connection and writes what it sends to
OUT; exits with the command's status.
   socket-sink.py SOCKET OUT command..."""
import socket
import subprocess
import sys

path, out, command = sys.argv[1], sys.argv[2], sys.argv[3:]
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
process = subprocess.Popen(command)
connection, _ = server.accept()
with open(out, "wb") as f:
    while True:
        data = connection.recv(65536)
        if not data:
            break
        f.write(data)
sys.exit(process.wait())
