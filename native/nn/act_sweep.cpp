// Dense sweep of the nn activations (nn_act.h scalar, nn_math.h AVX2 and AVX-512): checks that
// every path gives the same bits and measures the max error vs float64, the numbers quoted in
// nn_act.h. Not part of the addon. Build and run (x86-64 with AVX-512, ~1 min):
//   g++ -std=c++17 -O3 -ffp-contract=off -Inative native/nn/act_sweep.cpp -o /tmp/act_sweep
//   /tmp/act_sweep 3        # every 3rd float32 in [-30, 30]; exit 1 on any bit difference
#include "nn/nn_math.h"
#include <cstdio>
#include <cmath>
#include <vector>
#include <chrono>
using namespace neurion::nn;
static float bits2f(uint32_t u){float f;memcpy(&f,&u,4);return f;}
int main(int argc,char**argv){
  const double LIM=30.0; int stride=argc>1?atoi(argv[1]):3;
  std::vector<float> xs;
  for (uint64_t u=0; u<0x80000000ull; u+=stride){ float f=bits2f((uint32_t)u); if(!(f<=LIM)) break; xs.push_back(f); xs.push_back(-f);}
  printf("n=%zu\n", xs.size());
  size_t n=xs.size()/16*16;
  double es=0,et=0,ee=0,ehs=0; float xs_=0,xt=0,xe=0; long mism=0;
  std::vector<float> a(n), b(n), c(n);
  for (int act: {(int)Act::Sigmoid,(int)Act::Tanh,(int)Act::HardSigmoid}) {
    for(size_t i=0;i<n;++i) a[i]=b[i]=c[i]=xs[i];
#if NEURION_NN_X86
    act_inplace_avx2((Act)act,b.data(),n); act_inplace_avx512((Act)act,c.data(),n);
#endif
    for(size_t i=0;i<n;++i){ float s=act_f((Act)act,a[i]);
      if (memcmp(&s,&b[i],4)||memcmp(&s,&c[i],4)) { if(mism<5) printf("mismatch act %d x=%a s=%a v8=%a v16=%a\n",act,a[i],s,b[i],c[i]); ++mism; }
      double x=a[i], ref = act==(int)Act::Sigmoid? 1/(1+std::exp(-x)) : act==(int)Act::Tanh? std::tanh(x) : std::min(1.0,std::max(0.0,0.2*x+0.5));
      double e=std::fabs(s-ref);
      if(act==(int)Act::Sigmoid&&e>es){es=e;xs_=a[i];} if(act==(int)Act::Tanh&&e>et){et=e;xt=a[i];} if(act==(int)Act::HardSigmoid&&e>ehs)ehs=e;
    }
  }
  for(size_t i=0;i<n;++i){ float x=xs[i]; if (std::fabs(x)>30) continue; float s=exp_f(x); double r=std::exp((double)x); double ulp=std::ldexp(1.0,std::ilogb(r)-23); double e=std::fabs(s-r)/ulp; if(e>ee){ee=e;xe=x;}}
  printf("mismatches=%ld\nsigmoid max abs %.3g at %a\ntanh max abs %.3g at %a\nhard_sigmoid %.3g\nexp max ulp %.3g at %a\n",mism,es,xs_,et,xt,ehs,ee,xe);
  // special values
  float sp[]={0.f,-0.f,NAN,INFINITY,-INFINITY,1e30f,-1e30f,88.f,-88.f,89.f,-89.f,87.5f,-87.5f,44.f,-44.f,0.625f,-0.625f,1e-40f};
  for(float x: sp){ float s[3]; for(int k=0;k<3;++k){int act=k==0?(int)Act::Sigmoid:k==1?(int)Act::Tanh:(int)Act::Relu; float v8[8],v16[16]; for(int j=0;j<8;++j)v8[j]=x; for(int j=0;j<16;++j)v16[j]=x;
    act_inplace_avx2((Act)act,v8,8); act_inplace_avx512((Act)act,v16,16); s[k]=act_f((Act)act,x); if(memcmp(&s[k],v8,4)||memcmp(&s[k],v16,4)) printf("special mismatch act %d x=%g: %a %a %a\n",act,x,s[k],v8[0],v16[0]);}
    printf("x=%g sig=%g tanh=%g exp=%g\n",x,s[0],s[1],exp_f(x)); }
  // timing: LSTM-like mix, 5 activations per unit
  std::vector<float> g(4*128*32); for(size_t i=0;i<g.size();++i) g[i]=std::sin(i*0.37)*3.0;
  std::vector<float> w(g.size());
  for(int rep=0;rep<3;++rep){ auto t0=std::chrono::steady_clock::now(); for(int it=0;it<2000;++it){ w=g; act_inplace_avx512(Act::Sigmoid,w.data(),w.size()/4*3); act_inplace_avx512(Act::Tanh,w.data()+w.size()/4*3,w.size()/4); act_inplace_avx512(Act::Tanh,w.data(),w.size()/4);} auto t1=std::chrono::steady_clock::now();
    printf("avx512 mix: %.3f ns/act\n", std::chrono::duration<double,std::nano>(t1-t0).count()/2000/(g.size()*1.25)); }
  for(int rep=0;rep<2;++rep){ auto t0=std::chrono::steady_clock::now(); for(int it=0;it<2000;++it){ w=g; act_inplace_avx2(Act::Sigmoid,w.data(),w.size()/4*3); act_inplace_avx2(Act::Tanh,w.data()+w.size()/4*3,w.size()/4); act_inplace_avx2(Act::Tanh,w.data(),w.size()/4);} auto t1=std::chrono::steady_clock::now();
    printf("avx2 mix: %.3f ns/act\n", std::chrono::duration<double,std::nano>(t1-t0).count()/2000/(g.size()*1.25)); }
  return mism?1:0;
}
