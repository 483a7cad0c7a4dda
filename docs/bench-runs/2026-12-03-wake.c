// Round trips over loopback TCP between two processes, one every GAP ms (each side idle in epoll_wait in between):
// prints p50/p90/p99/p99.9 of the round trip in microseconds. HOPS>1 relays through a chain of HOPS-1 extra processes
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/wait.h>
static long now_us(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000000L+t.tv_nsec/1000;}
static int cmp(const void*a,const void*b){long x=*(long*)a,y=*(long*)b;return x<y?-1:x>y;}
static int listen_on(int port){int s=socket(AF_INET,SOCK_STREAM,0);int one=1;setsockopt(s,SOL_SOCKET,SO_REUSEADDR,&one,4);struct sockaddr_in a={0};a.sin_family=AF_INET;a.sin_port=htons(port);a.sin_addr.s_addr=htonl(0x7f000001);if(bind(s,(void*)&a,sizeof a)){perror("bind");exit(1);}listen(s,16);return s;}
static int dial(int port){int s=socket(AF_INET,SOCK_STREAM,0);struct sockaddr_in a={0};a.sin_family=AF_INET;a.sin_port=htons(port);a.sin_addr.s_addr=htonl(0x7f000001);while(connect(s,(void*)&a,sizeof a)){usleep(10000);close(s);s=socket(AF_INET,SOCK_STREAM,0);}int one=1;setsockopt(s,IPPROTO_TCP,TCP_NODELAY,&one,4);return s;}
static void wait_in(int fd){int ep=epoll_create1(0);struct epoll_event e={.events=EPOLLIN};epoll_ctl(ep,EPOLL_CTL_ADD,fd,&e);epoll_wait(ep,&e,1,-1);close(ep);}
int main(int argc,char**argv){
  int n=atoi(argv[1]), gap=atoi(argv[2]), hops=atoi(argv[3]); int base=47000+getpid()%1000*5;
  // chain: client -> relay1 -> ... -> echo; each relay forwards both ways
  for(int h=0;h<hops;h++){ if(fork()==0){ int l=listen_on(base+h); int in=accept(l,0,0); int one=1; setsockopt(in,IPPROTO_TCP,TCP_NODELAY,&one,4);
      if(h==hops-1){ char b[64]; for(;;){ wait_in(in); if(read(in,b,64)<=0) exit(0); write(in,b,1);} }
      int out=dial(base+h+1); int ep=epoll_create1(0); struct epoll_event e={.events=EPOLLIN,.data.fd=in}; epoll_ctl(ep,EPOLL_CTL_ADD,in,&e); e.data.fd=out; epoll_ctl(ep,EPOLL_CTL_ADD,out,&e);
      char b[64]; for(;;){ struct epoll_event r; epoll_wait(ep,&r,1,-1); int k=read(r.data.fd,b,64); if(k<=0) exit(0); write(r.data.fd==in?out:in,b,k);} } }
  int s=dial(base); long *t=malloc(sizeof(long)*n); char b=1;
  for(int i=0;i<n;i++){ usleep(gap*1000); long t0=now_us(); write(s,&b,1); wait_in(s); read(s,&b,1); t[i]=now_us()-t0; }
  qsort(t,n,sizeof(long),cmp); printf("hops %d: p50 %ld p90 %ld p99 %ld p99.9 %ld max %ld us\n",hops,t[n/2],t[n*9/10],t[n*99/100],t[n*999/1000],t[n-1]);
  close(s); while(wait(0)>0); return 0;}
