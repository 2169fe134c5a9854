// A deliberately dumb blocking SMTP client for driving the edge over 127.0.0.1: raw writes
// (so tests can pipeline or inject anything), reads whole replies, optional TLS.
// A receive timeout turns a server that never answers into a test failure, not a hang.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>

#include "common/tls/context.h"

namespace postern::edge::testing {

class SmtpClient {
 public:
  explicit SmtpClient(const boost::asio::ip::tcp::endpoint& ep, bool implicit_tls = false)
      : socket_(io_), tls_ctx_(tls::make_client_context()) {
    socket_.connect(ep);
    timeval tv{15, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (implicit_tls) start_tls();
  }

  void start_tls() {
    tls_ = std::make_unique<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>>(socket_,
                                                                                     tls_ctx_);
    tls_->handshake(boost::asio::ssl::stream_base::client);
  }

  void send(const std::string& bytes) {
    if (tls_) boost::asio::write(*tls_, boost::asio::buffer(bytes));
    else boost::asio::write(socket_, boost::asio::buffer(bytes));
  }

  // One complete (possibly multi-line) reply, lines joined with '\n', no CRLF; "" on EOF.
  std::string reply() {
    std::string out;
    while (true) {
      std::string line = read_line();
      if (line.empty()) return out;
      if (!out.empty()) out += '\n';
      out += line;
      if (line.size() < 4 || line[3] != '-') return out;
    }
  }
  // Sends a line (CRLF added) and returns the reply.
  std::string cmd(const std::string& line) {
    send(line + "\r\n");
    return reply();
  }
  // True when the server closed the connection (reads EOF).
  bool closed() { return read_line().empty(); }

 private:
  std::string read_line() {
    while (true) {
      const std::size_t end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return line;
      }
      char chunk[4096];
      boost::system::error_code ec;
      const std::size_t n = tls_ ? tls_->read_some(boost::asio::buffer(chunk), ec)
                                 : socket_.read_some(boost::asio::buffer(chunk), ec);
      if (ec || n == 0) return {};
      buffer_.append(chunk, n);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::ssl::context tls_ctx_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  std::string buffer_;
};

}  // namespace postern::edge::testing
